import { randomUUID } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { waitFor } from './wait.js';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
  json: any;
}

/** A test's MQTT client: records everything on its subscriptions and waits for what it expects. */
export class MqttProbe {
  readonly messages: Received[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      this.messages.push({ topic, payload: text, retain: packet.retain, at: Date.now(), json });
    });
  }

  static async connect(url: string, options: IClientOptions = {}): Promise<MqttProbe> {
    const client = await connectAsync(url, {
      protocolVersion: 4,
      reconnectPeriod: 200,
      connectTimeout: 5000,
      ...options,
    });
    // Cast: mqtt.js types its stream as a generic Duplex; over TCP it is a net.Socket.
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    return new MqttProbe(client);
  }

  async subscribe(topics: string | string[]): Promise<void> {
    await this.client.subscribeAsync(topics, { qos: 1 });
  }

  publish(topic: string, payload: string | object): Promise<unknown> {
    return this.client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  }

  /** The latest message on a topic matching the predicate, waiting for it if needed. */
  waitFor(
    topic: string,
    predicate: (m: Received) => boolean = () => true,
    timeoutMs = 10_000,
    since = 0,
  ): Promise<Received> {
    return waitFor(
      () => [...this.messages].reverse().find((m) => m.topic === topic && m.at >= since && predicate(m)),
      timeoutMs,
      `a message on ${topic}`,
      10,
    );
  }

  /** Publish a command with a fresh id and wait for its outcome on the events topic. */
  async command(commandTopic: string, eventsTopic: string, body: object, timeoutMs = 10_000): Promise<any> {
    const id = 'id' in body && typeof body.id === 'string' ? body.id : randomUUID();
    await this.publish(commandTopic, { ...body, id });
    const m = await this.waitFor(eventsTopic, (r) => r.json?.type === 'command' && r.json?.id === id, timeoutMs);
    return m.json;
  }

  outcomesFor(eventsTopic: string, id: string): Received[] {
    return this.messages.filter((m) => m.topic === eventsTopic && m.json?.type === 'command' && m.json?.id === id);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
