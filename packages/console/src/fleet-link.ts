import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { classify, type FleetMessage } from './classify.js';

export interface MqttOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  protocolVersion: 4 | 5;
  /** Topic filters the console watches; `#` sees every supervisor on the broker. */
  filters: string[];
  clientIdPrefix: string;
}

const PUBLISH_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The console's own MQTT connection (its own credentials, so the broker's ACL decides what it may
 * command): watches the filters, hands every recognised message on, publishes commands with a bound.
 * It reconnects on its own; retained states arrive again after each reconnect.
 */
export class FleetLink {
  private client: MqttClient | null = null;
  private readonly handlers = new Set<(msg: FleetMessage) => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();

  constructor(private readonly opts: MqttOptions) {}

  onMessage(handler: (msg: FleetMessage) => void): void {
    this.handlers.add(handler);
  }

  onConnection(listener: (connected: boolean) => void): void {
    this.connectionListeners.add(listener);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Resolves on the first connection and subscription, rejects if there is none within the bound. */
  async start(): Promise<void> {
    const options: IClientOptions = {
      protocolVersion: this.opts.protocolVersion,
      clientId: `${this.opts.clientIdPrefix}-${randomUUID().slice(0, 8)}`,
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectPeriod: 1000,
      clean: true,
      ...(this.opts.username !== undefined ? { username: this.opts.username } : {}),
      ...(this.opts.password !== undefined ? { password: this.opts.password } : {}),
    };
    const client = connect(this.opts.url, options);
    this.client = client;
    client.on('message', (topic, payload) => {
      const msg = classify(topic, payload);
      if (msg) for (const h of this.handlers) h(msg);
    });
    client.on('close', () => this.tellConnection(false));
    client.on('connect', () => {
      // Cast: mqtt.js types its stream as a generic Duplex; over TCP it is a net.Socket, elsewhere the call is skipped.
      (client.stream as { setNoDelay?: (v: boolean) => void } | undefined)?.setNoDelay?.(true);
      client.subscribe(this.opts.filters, { qos: 1 }, (err, granted) => {
        // An ACL that denies a filter answers with a failure code, not an error: say so, or the page stays empty.
        for (const g of granted ?? []) {
          if (g.qos >= 128)
            process.stderr.write(`mpvisor console: the broker refused the subscription to ${g.topic} (its ACL)\n`);
        }
        if (!err) this.tellConnection(true);
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.end(true);
        reject(new Error(`MQTT broker not reachable at ${this.opts.url} within ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      const ready = (connected: boolean) => {
        if (!connected) return;
        clearTimeout(timer);
        this.connectionListeners.delete(ready);
        resolve();
      };
      this.connectionListeners.add(ready);
    });
  }

  async publish(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the broker');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.publishAsync(topic, payload, { qos: 1 }),
        new Promise(
          (_, reject) =>
            (timer = setTimeout(
              () => reject(new Error(`no PUBACK within ${PUBLISH_TIMEOUT_MS} ms`)),
              PUBLISH_TIMEOUT_MS,
            )),
        ),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.endAsync(), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    client.end(true);
  }

  private tellConnection(connected: boolean): void {
    for (const l of [...this.connectionListeners]) l(connected);
  }
}
