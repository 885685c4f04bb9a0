// The fuzzer's MQTT 5 door (scripts/fuzz.mjs): commands carrying Response Topics (valid, wildcard,
// `$`, the supervisor's own topics, outside reply_prefix, too long), Correlation Data, user properties,
// content type, message expiry and payload format; commands published retained; one id sent by two
// clients. It checks what only this door can see: every send gets exactly one outcome; a reply goes to
// an accepted Response Topic once per send and nowhere else; a refused one gets a warning naming the
// id; no retained command runs again when the supervisor re-subscribes; ids reused by another requester
// run again (the supervisor's `duplicates` count never exceeds the true repeats).
import mqtt from 'mqtt';
import { sleep } from './harness.mjs';

const OUTCOME_PREFIX = '{"timestamp":"';

/**
 * Strings Mosquitto accepts in properties: it drops the connection of a client that sends control
 * characters, surrogates or non-characters there (and mqtt.js would re-send that publish forever).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const mqttSafe = (s) => s.replace(/[\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]/g, '?');

export class Mqtt5Door {
  /**
   * Fields: a, b (the two MQTT 5 clients), base, zones, R, randomString, supervisorClientId, url,
   * availability, answersReplies, violate, onSent (told each publish that reached the broker).
   */
  constructor(opts) {
    Object.assign(this, opts);
    this.seq = 0;
    this.counts = {
      sent: 0,
      with_response_topic: 0,
      reply_accepted: 0,
      reply_refused: 0,
      retained: 0,
      id_reuse_pairs: 0,
      same_requester_repeats: 0,
      user_properties: 0,
      correlation_data: 0,
      content_type: 0,
      message_expiry: 0,
      payload_format: 0,
      client_refused: 0,
      kicks: 0,
      retained_ignored_warnings: 0,
    };
    /** events topic|id -> { sends, outcomes, expect, retained } */
    this.byId = new Map();
    /** unique reply topic -> { expected, got, correlation: hex|null } */
    this.replies = new Map();
    /** id -> refused sends awaiting a warning */
    this.warningsDue = new Map();
    this.clientCloses = 0;
    this.pending = 0;
    for (const c of [this.a, this.b]) {
      c.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
      c.on('close', () => this.clientCloses++);
      c.on('error', () => {});
    }
  }

  /** answersReplies false: the supervisor speaks MQTT 3.1.1, sees no Response Topic, and neither replies nor warns. */
  static async open(opts) {
    const { url, base, availability } = opts;
    const link = { protocolVersion: 5, reconnectPeriod: 250, connectTimeout: 5000, clean: true };
    const a = await mqtt.connectAsync(url, link);
    const b = await mqtt.connectAsync(url, link);
    for (const c of [a, b]) c.stream.setNoDelay?.(true);
    // Where a misdirected reply would land and can be seen (wildcards and $ topics cannot be subscribed to
    // as plain topics: a publish there would show as a supervisor reconnect instead).
    const watched = [
      `${base}/replies/#`,
      `${base}/repliesX/#`,
      'elsewhere/#',
      `${base}/+/commands`,
      `${base}/system/command`,
      `${base}/+/replies`,
      `${base}/+/state`,
      `${base}/system/metrics`,
      `${base}/heartbeat`,
      availability,
    ];
    await a.subscribeAsync(watched, { qos: 1, nl: true });
    return new Mqtt5Door({ onSent: () => {}, ...opts, a, b });
  }

  /** Outcomes and warnings arrive through the Commander's events subscription (listener). */
  onEvent(topic, m) {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'warning') {
      if (typeof m.topic === 'string' && m.message?.startsWith('ignored a retained message'))
        this.counts.retained_ignored_warnings++;
      const due = typeof m.id === 'string' ? this.warningsDue.get(m.id) : undefined;
      if (due !== undefined) due > 1 ? this.warningsDue.set(m.id, due - 1) : this.warningsDue.delete(m.id);
      return;
    }
    if (m.type !== 'command' || typeof m.id !== 'string') return;
    const t = this.byId.get(`${topic}|${m.id}`);
    if (!t) return;
    t.outcomes++;
    if (t.outcomes <= t.sends) this.pending--;
    if (t.outcomes > t.sends)
      this.violate(t.retained ? 'retained_command_executed_again' : 'mqtt5_outcome_more_than_once', {
        topic,
        id: m.id,
        sends: t.sends,
        outcomes: t.outcomes,
      });
    if (t.expect === 'invalid' && m.outcome !== 'invalid')
      this.violate('mqtt5_expected_invalid', { topic, id: m.id, outcome: m.outcome, error_type: m.error_type });
  }

  onMessage(topic, payload, packet) {
    if (topic === this.availability) {
      if (payload.toString() === 'online') this.lastOnline = performance.now();
      return;
    }
    const r = this.replies.get(topic);
    if (r) {
      r.got++;
      const cd = packet.properties?.correlationData
        ? Buffer.from(packet.properties.correlationData).toString('hex')
        : null;
      if (r.expected === 0) this.violate('reply_to_refused_topic', { topic: topic.slice(0, 120) });
      else if (r.got > r.expected) this.violate('reply_more_than_once', { topic, got: r.got, expected: r.expected });
      else if (cd !== r.correlation)
        this.violate('reply_correlation_mismatch', { topic, got: cd?.slice(0, 40), sent: r.correlation?.slice(0, 40) });
      return;
    }
    if (
      payload.length < OUTCOME_PREFIX.length ||
      payload.subarray(0, OUTCOME_PREFIX.length).toString() !== OUTCOME_PREFIX
    )
      return;
    let m = null;
    try {
      m = JSON.parse(payload.toString());
    } catch {
      return;
    }
    // The supervisor's own state, metrics and heartbeat are fine; an outcome anywhere here is a reply that went where it must not.
    if (m?.type === 'command') this.violate('reply_to_refused_topic', { topic: topic.slice(0, 120), id: m.id });
  }

  /** Sends with a readable id still waiting for their outcome. */
  outstanding() {
    return this.pending;
  }

  freshReply(client) {
    return { topic: `${this.base}/replies/${client}/${(this.seq++).toString(36)}`, ok: true, quiet: true };
  }

  /**
   * A Response Topic, whether the supervisor must accept it, and whether nothing else is published
   * there (so every message on it is a reply). Wildcards, `$` topics and the supervisor's own topics
   * are refused; a reply there shows as a reconnect, a second outcome or an outcome on a watched topic.
   */
  responseTopic(client) {
    const R = this.R;
    const z = R.pick(this.zones);
    const b = this.base;
    const n = () => (this.seq++).toString(36);
    if (R.chance(0.4)) return this.freshReply(client);
    return R.weighted([
      [
        () => ({
          topic: R.pick([`${b}/#`, `${b}/replies/#`, `${b}/replies/+/x`, '#', '+', `${b}/+/commands`]),
          ok: false,
          quiet: false,
        }),
        3,
      ],
      [() => ({ topic: R.pick(['$SYS/broker/x', `$share/g/${b}/replies/x`, '$x']), ok: false, quiet: false }), 2],
      [
        () => ({
          topic: R.pick([
            `${b}/system/commands`,
            `${b}/system/command`,
            `${b}/${z}/commands`,
            `${b}/${z}/state`,
            `${b}/system/state`,
            `${b}/system/metrics`,
            `${b}/heartbeat`,
            this.availability,
            `${b}/${z}/events`,
            `${b}/system/events`,
            `${b}/${z}/warnings`,
          ]),
          ok: false,
          quiet: false,
        }),
        4,
      ],
      [
        () => ({
          topic: R.pick([`elsewhere/${n()}`, `${b}/replies`, `${b}/repliesX/${n()}`, `${b}/${z}/replies`]),
          ok: false,
          quiet: true,
        }),
        2,
      ],
      [() => ({ topic: `${b}/replies/${client}/${'x'.repeat(1100)}${n()}`, ok: false, quiet: true }), 1],
    ])();
  }

  properties(payload, client) {
    const R = this.R;
    const p = {};
    let reply = null;
    if (R.chance(0.6)) {
      reply = this.responseTopic(client);
      p.responseTopic = reply.topic;
    }
    if (R.chance(0.6)) {
      const cd = Buffer.alloc(R.pick([0, 1, 16, 200, 1024, 1025, 3000]));
      for (let i = 0; i < cd.length; i++) cd[i] = R.int(0, 255);
      p.correlationData = cd;
      this.counts.correlation_data++;
      if (reply && cd.length > 1024) reply.ok = false;
    }
    if (R.chance(0.3)) {
      const up = {};
      for (let i = R.int(1, 5); i > 0; i--)
        up[mqttSafe(this.randomString()).slice(0, 200) || 'k'] = R.chance(0.3)
          ? [mqttSafe(this.randomString()).slice(0, 500), 'v']
          : mqttSafe(this.randomString()).slice(0, 2000);
      p.userProperties = up;
      this.counts.user_properties++;
    }
    if (R.chance(0.2)) {
      p.contentType = mqttSafe(R.pick(['application/json', 'text/plain', '', this.randomString().slice(0, 300)]));
      this.counts.content_type++;
    }
    if (R.chance(0.2)) {
      p.messageExpiryInterval = R.int(60, 86_400);
      this.counts.message_expiry++;
    }
    if (typeof payload === 'string' && R.chance(0.1)) {
      p.payloadFormatIndicator = true;
      this.counts.payload_format++;
    }
    return { properties: p, reply };
  }

  publish(client, topic, payload, opts) {
    return new Promise((resolve) => {
      try {
        client.publish(topic, payload, { qos: 1, ...opts }, (err) => {
          if (err) this.counts.client_refused++;
          resolve(!err);
        });
      } catch {
        this.counts.client_refused++;
        resolve(false);
      }
    });
  }

  /** Book one send; false when mqtt.js refused to encode it (no outcome to expect). */
  async sendOne(client, name, topic, events, payload, p, { retain = false, fixed = null } = {}) {
    const { properties, reply } = fixed ?? this.properties(payload, name);
    if (properties.responseTopic !== undefined) this.counts.with_response_topic++;
    if (reply) {
      const r = this.replies.get(reply.topic) ?? { expected: 0, got: 0, correlation: null };
      if (!this.answersReplies) {
        this.counts.reply_refused++;
      } else if (reply.ok) {
        r.expected++;
        r.correlation = properties.correlationData ? properties.correlationData.toString('hex') : null;
        this.counts.reply_accepted++;
      } else {
        this.counts.reply_refused++;
        if (p.id !== null) this.warningsDue.set(p.id, (this.warningsDue.get(p.id) ?? 0) + 1);
      }
      if (reply.quiet) this.replies.set(reply.topic, r);
    }
    if (p.id !== null) {
      const key = `${events}|${p.id}`;
      const t = this.byId.get(key) ?? { sends: 0, outcomes: 0, expect: p.invalid ? 'invalid' : null, retained: retain };
      t.sends++;
      this.pending++;
      this.byId.set(key, t);
    }
    this.counts.sent++;
    const sent = await this.publish(client, topic, payload, { retain, properties });
    if (!sent) this.unbook(events, p, reply);
    else {
      // The requester the supervisor keys its de-dup cache on: none without a Response Topic it can see.
      const seen = this.answersReplies && properties.responseTopic !== undefined;
      const requester = seen
        ? [properties.responseTopic, properties.correlationData?.toString('hex') ?? null]
        : 'plain';
      this.onSent(topic, requester, p.id);
    }
    return { sent, properties, reply };
  }

  /** A publish mqtt.js or the broker refused: nothing reached the supervisor, nothing is due. */
  unbook(events, p, reply) {
    if (p.id !== null) {
      const t = this.byId.get(`${events}|${p.id}`);
      t.sends--;
      this.pending--;
    }
    if (reply && this.answersReplies) {
      if (reply.ok) this.replies.get(reply.topic).expected--;
      else if (p.id !== null) this.warningsDue.set(p.id, this.warningsDue.get(p.id) - 1);
    }
  }

  /**
   * One input through this door. Returns whether its outcome is untrackable (no readable id), so the
   * caller counts it with the other id-less outcomes of that events topic.
   */
  async send(target, topic, events, payload, p) {
    const R = this.R;
    const mode =
      p.id === null
        ? 'props'
        : R.weighted([
            ['props', 70],
            ['reuse', 20],
            ['retained', 10],
          ]);
    if (mode === 'props') {
      const client = R.chance(0.5) ? 'a' : 'b';
      const { sent } = await this.sendOne(this[client], client, topic, events, payload, p);
      return p.id === null && sent;
    }
    if (mode === 'retained') {
      this.counts.retained++;
      void this.sendOne(this.a, 'a', topic, events, payload, p, { retain: true });
      return false;
    }
    // The same id from two requesters. Same response topic and correlation data (or none on both): one
    // requester, answered again. Anything else: two requesters, both run.
    this.counts.id_reuse_pairs++;
    const first = await this.sendOne(this.a, 'a', topic, events, payload, p);
    const same = R.chance(0.3);
    if (same) {
      this.counts.same_requester_repeats++;
      void this.sendOne(this.b, 'b', topic, events, payload, p, {
        fixed: { properties: first.properties, reply: first.reply },
      });
    } else {
      let second = this.properties(payload, 'b');
      const sameRequester =
        second.properties.responseTopic === first.properties.responseTopic &&
        bufEq(second.properties.correlationData, first.properties.correlationData);
      if (sameRequester) {
        const reply = { ...this.freshReply('b'), ok: !(second.properties.correlationData?.length > 1024) };
        second = { properties: { ...second.properties, responseTopic: reply.topic }, reply };
      }
      void this.sendOne(this.b, 'b', topic, events, payload, p, { fixed: second });
    }
    return false;
  }

  /**
   * Make the supervisor re-subscribe: connect with its client id (the broker drops the older session),
   * leave at once, and wait until it is back online. Retained commands on its topics must not run now.
   */
  async kick(timeoutMs = 30_000) {
    const before = this.lastOnline ?? 0;
    const kicker = await mqtt.connectAsync(this.url, {
      protocolVersion: 5,
      clientId: this.supervisorClientId,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      clean: true,
    });
    await kicker.endAsync();
    this.counts.kicks++;
    const deadline = performance.now() + timeoutMs;
    while ((this.lastOnline ?? 0) <= before && performance.now() < deadline) await sleep(20);
    if ((this.lastOnline ?? 0) <= before) this.violate('supervisor_not_back_after_kick', { waited_ms: timeoutMs });
    // Whatever the broker sends on re-subscribe arrives within this.
    await sleep(1000);
  }

  /** After the drain: what was due and never came. */
  verify() {
    for (const [key, t] of this.byId)
      if (t.outcomes < t.sends)
        this.violate('mqtt5_no_outcome', { key: key.slice(0, 160), sends: t.sends, outcomes: t.outcomes });
    for (const [topic, r] of this.replies)
      if (r.got < r.expected)
        this.violate('reply_missing', { topic: topic.slice(0, 160), expected: r.expected, got: r.got });
    for (const [id, n] of this.warningsDue)
      if (n > 0) this.violate('refused_reply_without_warning', { id, missing: n });
  }

  async clearRetained(topics) {
    for (const t of topics) await this.a.publishAsync(t, '', { qos: 1, retain: true });
  }

  async close() {
    await Promise.all([this.a, this.b].map((c) => c.endAsync(true)));
  }
}

function bufEq(x, y) {
  if (!x || !y) return !x && !y;
  return Buffer.compare(x, y) === 0;
}
