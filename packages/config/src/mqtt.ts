// [mqtt]: broker connection. Older ParadoxFX files put mqtt_broker/mqtt_port/... and
// device_name in [global]; those are honoured when [mqtt] does not set the key.
import os from 'node:os';
import type { SectionReader } from './fields.js';
import { reportLeftovers } from './legacy.js';
import { hostForUrl, hostProblem, resolveFromConfig, topicLevelProblem, topicProblem } from './values.js';
import type { MqttConfig, TlsConfig } from './types.js';

const DEFAULT_BASE_TOPIC = 'paradox';
const EMBEDDED_HOST = '127.0.0.1';

interface BrokerTarget {
  host: string;
  embedded: boolean;
  tls: boolean;
  port?: number;
}

/** `broker` may be a host, `embedded`, or a URL (mqtt://, mqtts://, tcp://, ssl://). */
function parseBroker(r: SectionReader, key: string, value: string): BrokerTarget {
  if (value.toLowerCase() === 'embedded') return { host: EMBEDDED_HOST, embedded: true, tls: false };
  if (value.includes('://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      r.error(key, `${JSON.stringify(value)} is not a valid URL`);
      return { host: 'localhost', embedded: false, tls: false };
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (!['mqtt', 'mqtts', 'tcp', 'ssl', 'tls'].includes(scheme)) {
      r.error(key, `unsupported broker URL scheme ${JSON.stringify(scheme)}: use mqtt:// or mqtts://`);
    }
    const target: BrokerTarget = {
      host: url.hostname || 'localhost',
      embedded: false,
      tls: ['mqtts', 'ssl', 'tls'].includes(scheme),
    };
    if (url.port) target.port = Number(url.port);
    return target;
  }
  const problem = hostProblem(value);
  if (problem) r.error(key, problem);
  return { host: value.replace(/^\[(.*)\]$/, '$1'), embedded: false, tls: false };
}

function readTls(r: SectionReader, baseDir: string, wanted: boolean): TlsConfig | undefined {
  const file = (k: string): string | undefined => {
    const v = r.string(k);
    return v === undefined ? undefined : resolveFromConfig(baseDir, v);
  };
  const ca = file('ca');
  const cert = file('cert');
  const key = file('key');
  const explicit = r.has('tls') ? r.bool('tls', false) : undefined;
  const reject = r.bool('reject_unauthorized', true);
  if (cert !== undefined && key === undefined) r.error('cert', 'a client certificate needs its key (set key = PATH)');
  if (key !== undefined && cert === undefined) r.error('key', 'a client key needs its certificate (set cert = PATH)');
  const on = explicit ?? (wanted || ca !== undefined || cert !== undefined);
  if (!on) {
    if (r.has('reject_unauthorized'))
      r.warn('reject_unauthorized', 'has no effect without TLS (set tls = true, ca, or an mqtts:// broker)');
    return undefined;
  }
  if (!reject)
    r.warn(
      'reject_unauthorized',
      'TLS certificate verification is disabled: anyone on the path can impersonate the broker',
    );
  const tls: TlsConfig = { reject_unauthorized: reject };
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  return tls;
}

export function readMqtt(r: SectionReader, g: SectionReader, baseDir: string): MqttConfig {
  // [mqtt] wins; the [global] spelling is ParadoxFX's older format.
  const pick = (key: string, legacy: string): [SectionReader, string] => {
    const own = r.has(key);
    const old = g.has(legacy);
    if (own && old) {
      g.warn(legacy, `ignored: [mqtt] ${key} takes precedence`);
      g.entry(legacy);
    }
    if (!own && old) return [g, legacy];
    return [r, key];
  };

  const [br, bk] = pick('broker', 'mqtt_broker');
  const target = parseBroker(br, bk, br.string(bk) ?? 'localhost');
  const tls = target.embedded ? undefined : readTls(r, baseDir, target.tls);
  if (target.embedded) {
    for (const k of ['tls', 'ca', 'cert', 'key', 'reject_unauthorized']) {
      if (r.has(k)) r.warn(k, 'ignored: the embedded broker listens on 127.0.0.1 without TLS');
      r.entry(k);
    }
  }

  const [pr, pk] = pick('port', 'mqtt_port');
  const explicitPort = pr.optInt(pk, { min: 1, max: 65535 });
  if (explicitPort !== undefined && target.port !== undefined && explicitPort !== target.port) {
    pr.error(pk, `port ${explicitPort} contradicts the port in the broker URL (${target.port})`);
  }
  const port = explicitPort ?? target.port ?? (tls ? 8883 : 1883);

  let protocol: 4 | 5 = 5;
  const pv = r.string('protocol_version');
  if (pv !== undefined) {
    if (pv === '4' || pv === '3.1.1') protocol = 4;
    else if (pv === '5' || pv === '5.0') protocol = 5;
    else r.error('protocol_version', `expected 5 (MQTT 5) or 4 (MQTT 3.1.1), got ${JSON.stringify(pv)}`);
  }
  if (target.embedded) {
    if (pv !== undefined && protocol === 5)
      r.warn('protocol_version', 'the embedded broker speaks MQTT 3.1.1 only; using protocol_version = 4');
    protocol = 4;
  }

  const baseTopic = r.string('base_topic') ?? DEFAULT_BASE_TOPIC;
  const btProblem = topicProblem(baseTopic);
  if (btProblem) r.error('base_topic', btProblem);

  const ownReplyPrefix = r.string('reply_prefix');
  const replyPrefix = ownReplyPrefix ?? `${baseTopic}/replies`;
  // The default follows base_topic, whose own problem is already reported.
  if (ownReplyPrefix !== undefined) {
    const rpProblem =
      topicProblem(ownReplyPrefix) ??
      (ownReplyPrefix.startsWith('$') ? 'must not start with "$" (broker topics)' : null);
    if (rpProblem) r.error('reply_prefix', rpProblem);
  }

  const [dr, dk] = pick('device_name', 'device_name');
  const deviceName = dr.string(dk) ?? os.hostname();
  const dnProblem = topicLevelProblem(deviceName);
  if (dnProblem) dr.error(dk, dnProblem);

  const [ur, uk] = pick('username', 'mqtt_username');
  const [wr, wk] = pick('password', 'mqtt_password');
  const username = ur.string(uk);
  const password = wr.string(wk);
  if (password !== undefined && username === undefined)
    wr.warn(wk, 'a password without a username is not sent by most brokers');

  const [cr, ck] = pick('client_id', 'mqtt_client_id');
  const clientId = cr.string(ck) ?? `mpvisor-${deviceName}`;
  if (Buffer.byteLength(clientId) > 65535) cr.error(ck, 'client_id is too long');

  const cfg: MqttConfig = {
    embedded: target.embedded,
    broker: target.host,
    port,
    url: `${tls ? 'mqtts' : 'mqtt'}://${hostForUrl(target.host)}:${port}`,
    client_id: clientId,
    keepalive_s: r.int('keepalive', 30, { min: 0, max: 65535 }),
    clean_session: r.bool('clean_session', true),
    base_topic: baseTopic,
    device_name: deviceName,
    protocol_version: protocol,
    reply_prefix: replyPrefix,
  };
  if (username !== undefined) cfg.username = username;
  if (password !== undefined) cfg.password = password;
  if (tls) cfg.tls = tls;
  reportLeftovers(r, new Set(), new Map());
  return cfg;
}

/**
 * A reply is published with the supervisor's own credentials, so none of the supervisor's own topics
 * may lie under the reply prefix: a requester could otherwise make it publish there.
 */
export function replyPrefixClashes(prefix: string, ownTopics: readonly string[]): string[] {
  return ownTopics.filter((t) => t === prefix || t.startsWith(`${prefix}/`));
}
