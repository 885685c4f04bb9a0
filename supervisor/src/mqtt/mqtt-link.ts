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
  /** The promise (if any) settles when the message is handled: intake is paced by how many are pending. */
  onMessage: (topic: string, payload: Buffer, packet: IPublishPacket) => Promise<void> | undefined;
}

export interface MqttMetrics {
  connected: boolean;
  reconnects: number;
  published: number;
  publish_failures: number;
  /** MQTT 5 replies published (QoS 0) and dropped (offline, or refused before sending). */
  replies: number;
  replies_dropped: number;
  queue_depth: number;
  dropped: number;
  last_connect: string | null;
  connect_failures: number;
  last_error: string | null;
}

const MIN_RECONNECT_MS = 250;
const YIELD_EVERY = 32;
/**
 * Commands handled at once (a zone's worker itself takes 16 in flight). Past this, mqtt.js reads no
 * further packet until one finishes: a burst waits in the broker and the socket, not as thousands of
 * half-handled commands on our heap (docs/benchmarks.md, Duck flood).
 */
const MAX_IN_FLIGHT = 16;
const MAX_RECONNECT_MS = 30_000;
const FAST_ATTEMPTS = 4;
const PUBLISH_TIMEOUT_MS = 5000;
/** A repeated connection error is logged the first time and then every Nth time, not once per retry forever. */
const REPEAT_LOG_EVERY = 20;

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
  private sinceYield = 0;
  private inFlight = 0;
  /** mqtt.js's callback for the next packet, held while MAX_IN_FLIGHT messages are being handled. */
  private readNext: (() => void) | null = null;
  private attempt = 0;
  private counters = { reconnects: 0, published: 0, publish_failures: 0, replies: 0, replies_dropped: 0 };
  private lastConnect: string | null = null;
  private stopped = false;
  private lastError: { message: string; count: number } | null = null;
  private connectFailures = 0;
  private wasConnected = false;

  constructor(private opts: MqttLinkOptions) {}

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
    client.on('error', (err) => this.onError(err));
    client.on('reconnect', () => o.log.debug('MQTT connecting', { url: o.url, attempt: this.attempt + 1 }));
    client.on('message', (topic, payload, packet) => this.track(o.onMessage(topic, payload, packet)));
    // mqtt.js parses the next packet only once this is called back. A burst of thousands of commands
    // would otherwise be handled in one pass of the event loop, with worker heartbeats unread behind it
    // until their watchdog expires: every YIELD_EVERY messages the loop gets a turn first.
    client.handleMessage = (_packet, done) => {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        this.readNext = done;
        return;
      }
      if (++this.sinceYield < YIELD_EVERY) return done();
      this.sinceYield = 0;
      setImmediate(done);
    };
  }

  private track(handling: Promise<void> | undefined): void {
    if (!handling) return;
    this.inFlight++;
    const settled = () => {
      this.inFlight--;
      const next = this.readNext;
      if (next && this.inFlight < MAX_IN_FLIGHT) {
        this.readNext = null;
        setImmediate(next);
      }
    };
    handling.then(settled, (err: Error) => {
      settled();
      this.opts.log.error('MQTT message handler failed', { error: err.message });
    });
  }

  /**
   * mqtt.js emits an error per failed attempt (refused CONNACK, ECONNREFUSED, TLS failure). The same
   * error is logged once, clearly, and then every REPEAT_LOG_EVERY attempts with a count; retries go on.
   */
  private onError(err: Error & { code?: string | number }): void {
    this.connectFailures++;
    const message = describeMqttError(err);
    const same = this.lastError?.message === message;
    this.lastError = same ? { message, count: this.lastError!.count + 1 } : { message, count: 1 };
    const n = this.lastError.count;
    if (n === 1 || n % REPEAT_LOG_EVERY === 0) {
      const level = typeof err.code === 'number' ? 'error' : 'warn';
      this.opts.log[level](`MQTT: ${message}; retrying with backoff (up to ${MAX_RECONNECT_MS / 1000} s)`, {
        url: this.opts.url,
        ...(n > 1 ? { repeated: n } : {}),
      });
    }
  }

  private onConnect(): void {
    const client = this.client!;
    if (this.lastConnect !== null) this.counters.reconnects++;
    if (this.lastError && this.lastError.count > 1)
      this.opts.log.info('MQTT error cleared', { error: this.lastError.message, repeated: this.lastError.count });
    this.lastError = null;
    this.wasConnected = true;
    this.attempt = 0;
    client.options.reconnectPeriod = MIN_RECONNECT_MS;
    this.lastConnect = new Date().toISOString();
    // Nagle on a request/response path costs ~40 ms per round trip on loopback.
    // Cast: mqtt.js types its stream as a generic Duplex; over TCP it is a net.Socket, elsewhere the call is skipped.
    (client.stream as { setNoDelay?: (v: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.opts.log.info('MQTT connected', { url: this.opts.url });
    if (this.subscriptions.size > 0) {
      client.subscribe([...this.subscriptions], this.subscribeOptions(), (err, granted) => {
        if (err) this.opts.log.error(`MQTT subscribe failed: ${err.message}`);
        // MQTT 5 / Mosquitto: a subscription the ACL denies comes back with a failure code (>= 128).
        for (const g of granted ?? []) {
          if (g.qos >= 128)
            this.opts.log.error(
              `MQTT subscription to ${g.topic} refused by the broker (code ${g.qos}): check its acl_file`,
            );
        }
      });
    }
    this.rawPublish(this.opts.availabilityTopic, 'online', true);
    for (const item of this.queue.drainForConnect()) this.rawPublish(item.topic, item.payload, item.retain);
  }

  private onClose(): void {
    // The held packet belonged to the closed connection's stream; the next connection reads afresh.
    this.readNext = null;
    if (this.stopped || !this.client) return;
    this.attempt++;
    // The first attempts stay fast: a restarted broker is usually back within a second, and commands
    // published before we re-subscribe are dropped by a clean-start broker. Then back off to 30 s.
    const base = Math.min(MAX_RECONNECT_MS, MIN_RECONNECT_MS * 2 ** Math.max(0, this.attempt - FAST_ATTEMPTS));
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.client.options.reconnectPeriod = delay;
    // A lost connection is news; a failed attempt was already told by onError (once, then every Nth).
    if (this.wasConnected)
      this.opts.log.warn('MQTT connection lost; reconnecting', { url: this.opts.url, next_ms: delay });
    else this.opts.log.debug('MQTT attempt failed', { url: this.opts.url, attempt: this.attempt, next_ms: delay });
    this.wasConnected = false;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  subscribe(topics: string[]): void {
    for (const t of topics) this.subscriptions.add(t);
    if (this.client?.connected) this.client.subscribe(topics, this.subscribeOptions());
  }

  /**
   * MQTT 5 lets us ask the broker not to send what it kept (rh 2: no retained messages at subscribe
   * time) nor our own publishes back (nl). Under 3.1.1 the receiver's retain-flag check alone does it.
   */
  private subscribeOptions(): { qos: 1; nl?: boolean; rh?: number } {
    return this.opts.protocolVersion === 5 ? { qos: 1, nl: true, rh: 2 } : { qos: 1 };
  }

  unsubscribe(topics: string[]): void {
    for (const t of topics) this.subscriptions.delete(t);
    if (this.client?.connected && topics.length > 0) this.client.unsubscribe(topics);
  }

  /**
   * A reloaded [mqtt], after stop() (which said `offline` on the old connection): connect with the new
   * options; subscriptions and retained state follow on connect, queued events too.
   */
  restartWith(opts: MqttLinkOptions): void {
    this.opts = opts;
    this.stopped = false;
    this.attempt = 0;
    this.wasConnected = false;
    this.start();
  }

  /** Retained state: latest wins per topic, re-published on every connect. */
  publishRetained(topic: string, payload: string): void {
    this.queue.setRetained(topic, payload);
    if (this.client?.connected) this.rawPublish(topic, payload, true);
  }

  publishEvent(topic: string, payload: string): void {
    if (this.client?.connected) this.rawPublish(topic, payload, false);
    else this.queue.pushEvent({ topic, payload, retain: false });
  }

  /**
   * A reply to an MQTT 5 response topic: QoS 0 and never queued, so a publish the broker refuses is
   * not stored by mqtt.js and re-sent on every reconnect. Offline, it is dropped (the outcome is also
   * on the events topic, which is queued).
   */
  publishReply(topic: string, payload: string, correlationData?: Buffer): void {
    const client = this.client;
    if (!client?.connected) {
      this.counters.replies_dropped++;
      return;
    }
    const properties = correlationData ? { properties: { correlationData } } : {};
    client.publish(topic, payload, { qos: 0, retain: false, ...properties }, (err) => {
      if (err) {
        this.counters.replies_dropped++;
        this.opts.log.debug(`MQTT reply not sent: ${err.message}`, { topic });
      } else this.counters.replies++;
    });
  }

  private rawPublish(topic: string, payload: string, retain: boolean): void {
    const client = this.client!;
    client.publish(topic, payload, { qos: 1, retain }, (err) => {
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
      connect_failures: this.connectFailures,
      last_error: this.lastError?.message ?? null,
    };
  }

  /** Publish `offline` ourselves (a clean disconnect sends no will), then close; bounded in time. */
  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await withTimeout(
        new Promise<void>((resolve) =>
          client.publish(this.opts.availabilityTopic, 'offline', { qos: 1, retain: true }, () => resolve()),
        ),
        PUBLISH_TIMEOUT_MS,
      );
    }
    await withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), 2000);
    client.end(true);
  }
}

const CONNACK_HINTS: Record<number, string> = {
  4: 'bad user name or password (check [mqtt] username and password against the broker password_file)',
  5: 'not authorized (check [mqtt] username and password, and the broker acl_file)',
  134: 'bad user name or password (check [mqtt] username and password against the broker password_file)',
  135: 'not authorized (check [mqtt] username and password, and the broker acl_file)',
  133: 'client identifier not valid (check [mqtt] client_id)',
  2: 'client identifier rejected (check [mqtt] client_id)',
  1: 'unacceptable protocol version (try protocol_version = 4 in [mqtt])',
  132: 'unsupported protocol version (try protocol_version = 4 in [mqtt])',
};

function describeMqttError(err: Error & { code?: string | number }): string {
  if (typeof err.code === 'number') {
    const hint = CONNACK_HINTS[err.code];
    return `broker refused the connection (CONNACK code ${err.code}): ${hint ?? err.message}`;
  }
  return `connection failed: ${err.message}`;
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
