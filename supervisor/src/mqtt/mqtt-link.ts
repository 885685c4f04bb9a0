import { readFileSync } from 'node:fs';
import { connect, UniqueMessageIdProvider, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '@mpvisor/log';
import { OutgoingQueue } from './outgoing-queue.js';

export interface MqttLinkOptions {
  url: string;
  protocolVersion: 4 | 5;
  clientId: string;
  username?: string;
  password?: string;
  keepaliveS: number;
  tls?: { ca?: string; cert?: string; key?: string; reject_unauthorized: boolean };
  availabilityTopic: string;
  log: Logger;
  onMessage: (topic: string, payload: Buffer, packet: IPublishPacket) => void;
}

export interface MqttMetrics {
  connected: boolean;
  reconnects: number;
  published: number;
  publish_failures: number;
  queue_depth: number;
  dropped: number;
  last_connect: string | null;
}

const MIN_RECONNECT_MS = 250;
const MAX_RECONNECT_MS = 30_000;
const PUBLISH_TIMEOUT_MS = 5000;

/**
 * The supervisor's one MQTT connection. It reconnects forever with exponential backoff and jitter
 * (mqtt.js only has a fixed period, re-read each time it arms, so we change it between attempts),
 * re-subscribes and re-publishes all retained state on every connect, and keeps its own bounded
 * queue while offline so nothing waits on mqtt.js's unbounded one.
 */
export class MqttLink {
  private client: MqttClient | null = null;
  private readonly subscriptions = new Set<string>();
  private readonly queue = new OutgoingQueue(1000);
  private attempt = 0;
  private counters = { reconnects: 0, published: 0, publish_failures: 0 };
  private lastConnect: string | null = null;
  private stopped = false;

  constructor(private readonly opts: MqttLinkOptions) {}

  start(): void {
    const o = this.opts;
    const options: IClientOptions = {
      protocolVersion: o.protocolVersion,
      clientId: o.clientId,
      keepalive: o.keepaliveS,
      clean: true,
      reconnectPeriod: MIN_RECONNECT_MS,
      connectTimeout: 10_000,
      resubscribe: false,
      queueQoSZero: false,
      reconnectOnConnackError: true,
      messageIdProvider: new UniqueMessageIdProvider(),
      will: { topic: o.availabilityTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls ? tlsOptions(o.tls) : {}),
    };
    const client = connect(o.url, options);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (err) => o.log.warn(`MQTT error: ${err.message}`, { url: o.url }));
    client.on('message', (topic, payload, packet) => o.onMessage(topic, payload, packet));
  }

  private onConnect(): void {
    const client = this.client!;
    if (this.attempt > 0 || this.lastConnect !== null) this.counters.reconnects++;
    this.attempt = 0;
    client.options.reconnectPeriod = MIN_RECONNECT_MS;
    this.lastConnect = new Date().toISOString();
    // Nagle on a request/response path costs ~40 ms per round trip on loopback.
    (client.stream as { setNoDelay?: (v: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.opts.log.info('MQTT connected', { url: this.opts.url });
    if (this.subscriptions.size > 0) {
      client.subscribe([...this.subscriptions], { qos: 1 }, (err) => {
        if (err) this.opts.log.error(`MQTT subscribe failed: ${err.message}`);
      });
    }
    this.rawPublish(this.opts.availabilityTopic, 'online', true);
    for (const item of this.queue.drainForConnect()) this.rawPublish(item.topic, item.payload, item.retain);
  }

  private onClose(): void {
    if (this.stopped || !this.client) return;
    this.attempt++;
    const base = Math.min(MAX_RECONNECT_MS, MIN_RECONNECT_MS * 2 ** (this.attempt - 1));
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.client.options.reconnectPeriod = delay;
    if (this.attempt === 1 || this.attempt % 10 === 0) {
      this.opts.log.warn('MQTT disconnected; reconnecting', { url: this.opts.url, attempt: this.attempt, next_ms: delay });
    }
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  subscribe(topics: string[]): void {
    for (const t of topics) this.subscriptions.add(t);
    if (this.client?.connected) this.client.subscribe(topics, { qos: 1 });
  }

  /** Retained state: latest wins per topic, re-published on every connect. */
  publishRetained(topic: string, payload: string): void {
    this.queue.setRetained(topic, payload);
    if (this.client?.connected) this.rawPublish(topic, payload, true);
  }

  publishEvent(topic: string, payload: string, properties?: { correlationData?: Buffer }): void {
    if (this.client?.connected) this.rawPublish(topic, payload, false, properties);
    else this.queue.pushEvent({ topic, payload, retain: false });
  }

  private rawPublish(topic: string, payload: string, retain: boolean, properties?: { correlationData?: Buffer }): void {
    const client = this.client!;
    const props = properties && this.opts.protocolVersion === 5 ? { properties } : {};
    client.publish(topic, payload, { qos: 1, retain, ...props }, (err) => {
      if (err) {
        this.counters.publish_failures++;
        this.opts.log.debug(`MQTT publish failed: ${err.message}`, { topic });
      } else this.counters.published++;
    });
  }

  metrics(): MqttMetrics {
    return {
      connected: this.connected,
      ...this.counters,
      queue_depth: this.queue.depth,
      dropped: this.queue.dropped,
      last_connect: this.lastConnect,
    };
  }

  /** Publish `offline` ourselves (a clean disconnect sends no will), then close; bounded in time. */
  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await withTimeout(
        new Promise<void>((resolve) => client.publish(this.opts.availabilityTopic, 'offline', { qos: 1, retain: true }, () => resolve())),
        PUBLISH_TIMEOUT_MS,
      );
    }
    await withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), 2000);
    client.end(true);
  }
}

function tlsOptions(tls: NonNullable<MqttLinkOptions['tls']>): Partial<IClientOptions> {
  return {
    rejectUnauthorized: tls.reject_unauthorized,
    ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
    ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls.key ? { key: readFileSync(tls.key) } : {}),
  };
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
