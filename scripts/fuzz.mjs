#!/usr/bin/env node
// Fuzzer for every input of a running supervisor: MQTT command topics (system and each zone), the
// supervisor<->worker socket (as an impostor client) and the CLI control socket. Uses the built dist/
// (`npx tsc -b` first).
//
//   npm run fuzz -- --inputs 100000 [--seed 7] [--zones 2] [--window 256] [--report FILE]
//
// Inputs: mutations of valid commands from the registry (packages/protocol: ZONE_COMMANDS,
// SYSTEM_COMMANDS), random JSON, random bytes, deep nesting, huge strings, wrong types, random keys.
// An MQTT 5 door (scripts/lib/fuzz-mqtt5.mjs) sends the same payloads from two more clients with
// Response Topics (valid, wildcard, `$`, the supervisor's own topics, outside reply_prefix, too long),
// Correlation Data, user properties, content type, message expiry and payload format, some retained,
// some with an id the other client reuses; every --kick-every inputs it makes the supervisor
// re-subscribe (a client takes over its client id) so the broker offers it the retained commands.
// Destructive commands are never sent, so the zones stay up and the run measures robustness, not
// restarts: on the system topic stop, killPfx, reboot, shutdown, restart, reset, system_reset,
// reload_config, pause, reset_audio, and cleanup_orphans / reset_sockets (they act on files and
// processes outside this run's directory: ParadoxFX's /tmp sockets); on zone topics restart and reset.
// Any input that resolves to one of those names (aliases included) is dropped before sending.
//
// Checks: the supervisor stays alive and every zone stays ready with the same worker; every MQTT
// payload with a readable id gets exactly one outcome, `invalid` whenever the registry says it is
// invalid (the prediction uses the same protocol code as the supervisor); payloads without a readable
// id get one outcome each (counted per topic); every valid control-socket request gets exactly one
// reply; impostor hellos on the worker socket (the real worker's pid included, without its token)
// are refused (connection closed) and nothing an impostor sends changes a zone; supervisor RSS growth (after a warm-up) stays under --rss-limit-mb;
// a valid command works at the end. MQTT 5 door: one outcome per send; a reply only on an accepted
// Response Topic, once per send, with its Correlation Data, and a warning for each refused one; no
// retained command runs again on re-subscribe; the supervisor reconnects only when kicked; its
// `duplicates` count never exceeds the (target, requester, id) repeats sent on all lanes. Exit code 1 on any violation.
// FUZZ_HUGE_WEIGHT=0 in the environment leaves out the 1-300 KB payloads (for memory experiments).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveMediaPath } from '../packages/config/dist/index.js';
import {
  CommandTable,
  parseCommandPayload,
  parseJsonObject,
  peekId,
  SYSTEM_COMMANDS,
  ZONE_COMMANDS,
} from '../packages/protocol/dist/index.js';
import { Mqtt5Door } from './lib/fuzz-mqtt5.mjs';
import {
  Commander,
  controlStatus,
  iniFor,
  launchSupervisor,
  liveHeapMb,
  machine,
  prepareRun,
  processesMentioning,
  readLedger,
  rng,
  rssKb,
  sleep,
} from './lib/harness.mjs';

const { values: flags } = parseArgs({
  options: {
    inputs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    zones: { type: 'string', default: '2' },
    window: { type: 'string', default: '256' },
    report: { type: 'string' },
    'rss-limit-mb': { type: 'string' },
    'heap-snapshots': { type: 'boolean', default: false },
    'heap-limit-mb': { type: 'string', default: '10' },
    protocol: { type: 'string', default: '5' },
    'kick-every': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'supervisor-node-options': { type: 'string' },
  },
});
const INPUTS = Number(flags.inputs);
const SEED = flags.seed !== undefined ? Number(flags.seed) : Date.now() % 1_000_000;
const ZONES = Array.from({ length: Math.max(1, Number(flags.zones)) }, (_, i) => `z${i + 1}`);
const WINDOW = Number(flags.window);
const PROGRESS = INPUTS >= 50_000 ? 10_000 : 2000;
// RSS growth is reported against the 10 MB target; it is a violation only when --rss-limit-mb is given
// (V8 grows its old space lazily, so RSS also measures garbage not yet collected). The leak check is
// the live heap after a full GC (--heap-snapshots: V8 writes a snapshot on SIGUSR2, after a full GC).
const RSS_TARGET_MB = 10;
const RSS_LIMIT_MB = flags['rss-limit-mb'] !== undefined ? Number(flags['rss-limit-mb']) : null;
const HEAP_LIMIT_MB = Number(flags['heap-limit-mb']);
const PROTOCOL = flags.protocol === '4' ? 4 : 5;
const KICK_EVERY = Number(flags['kick-every'] ?? Math.max(1000, Math.floor(INPUTS / 10)));
const REPORT = flags.report ?? join(tmpdir(), `mpvisor-fuzz-${Date.now()}.json`);
const R = rng(SEED);
const base = 'fuzz';
const T0 = performance.now();
const elapsed = () => ((performance.now() - T0) / 1000).toFixed(1);
const say = (...a) => console.log(`[${elapsed()}s]`, ...a);

const DESTRUCTIVE_SYSTEM = new Set([
  'stop',
  'killPfx',
  'reboot',
  'shutdown',
  'restart',
  'reset',
  'system_reset',
  'reload_config',
  'pause',
  'reset_audio',
  'cleanup_orphans',
  'reset_sockets',
]);
// ParadoxFX's process commands on zone topics restart the zone (restartPfx) or act on the host.
const DESTRUCTIVE_ZONE = new Set(['restart', 'reset', 'restartPfx', 'killPfx', 'reboot', 'shutdown']);
const zoneTable = new CommandTable(ZONE_COMMANDS);
const systemTable = new CommandTable(SYSTEM_COMMANDS);
const zoneSpecs = ZONE_COMMANDS.filter((s) => !DESTRUCTIVE_ZONE.has(s.name));
const systemSpecs = SYSTEM_COMMANDS.filter((s) => !DESTRUCTIVE_SYSTEM.has(s.name));

const violations = [];
const violate = (kind, detail = {}) => {
  violations.push({ t_s: Number(elapsed()), kind, ...detail });
  if (violations.length <= 30) console.log(`[${elapsed()}s] VIOLATION ${kind} ${JSON.stringify(detail).slice(0, 400)}`);
};

// ------------------------------------------------------------------------------------ generators

/** A plausible valid argument set per command, as the mutation base. */
const SAMPLE_ARGS = {
  playBackground: () => ({ file: R.pick(['tone-220.wav', 'tone-330.wav']), volume: R.int(0, 100), loop: true }),
  stopBackground: () => ({ fadeTime: 0 }),
  setBackgroundMusicVolume: () => ({ volume: R.int(0, 200) }),
  playSpeech: () => ({ file: 'speech-1.wav', ducking: -20 }),
  stopSpeech: () => ({ fadeTime: 0 }),
  playSoundEffect: () => ({ file: 'chime.wav', volume: R.int(0, 150) }),
  stopAllEffects: () => ({}),
  stopAudio: () => ({ fadeTime: 0 }),
  setVolume: () => ({ volume: R.int(0, 200) }),
  duck: () => ({ duck_id: `d${R.int(0, 5)}`, amount: -R.int(0, 100) }),
  unduck: () => (R.chance(0.5) ? { duck_id: `d${R.int(0, 5)}` } : {}),
  stopAll: () => ({ fadeTime: 0 }),
  getMpvProperty: () => ({
    role: R.pick(['background', 'speech', 'effect-0', 'video', 'nope']),
    property: R.pick(['time-pos', 'volume', 'pause', 'path', 'idle-active']),
  }),
  setImage: () => ({ file: 'chime.wav' }),
  playVideo: () => ({ file: 'tone-220.wav' }),
  health_check: () => ({}),
};

const KEY_POOL = [
  'file',
  'audio',
  'Audio',
  'video',
  'image',
  'volume',
  'Volume',
  'adjustVolume',
  'loop',
  'fadeTime',
  'FadeTime',
  'fadeIn',
  'ducking',
  'duck_id',
  'amount',
  'role',
  'property',
  'zones',
  'level',
  'type',
  'reason',
  'force',
  'timeout',
  'preserve_state',
  'x',
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\u0000',
  'ключ',
  '🎵',
];
const STR_POOL = [
  '',
  ' ',
  'tone-220.wav',
  'chime.wav',
  'missing.wav',
  '../../etc/passwd',
  '/etc/passwd',
  'a/../../b.wav',
  '..',
  '.',
  'x'.repeat(300),
  '\u0000',
  'NaN',
  'true',
  '1e309',
  '-1',
  '70',
  '%s%s%n',
  '${HOME}',
  '`rm -rf /`',
  '$(id)',
  'ü🎵\ud800',
  'effect-0',
  'background',
];

function randomString() {
  const r = R.next();
  if (r < 0.5) return R.pick(STR_POOL);
  if (r < 0.8) {
    const n = R.int(0, 40);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(R.int(0, 0x2fff));
    return s;
  }
  return R.pick(['a', '.', '/', '\\', '"']).repeat(R.int(1, 5000));
}

function randomScalar() {
  return R.weighted([
    [() => null, 1],
    [() => R.chance(0.5), 1],
    [() => R.int(-1000, 1000), 2],
    [() => R.pick([0, -0, 1e308, -1e308, 1e-308, 2 ** 53, -(2 ** 53) - 7, 0.5, 200.0001, 60.5, -100, 100]), 2],
    [() => randomString(), 3],
  ])();
}

/** An own enumerable key even for "__proto__", so JSON.stringify writes it as a key. */
function setKey(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function randomValue(depth = 0) {
  if (depth > 4 || R.chance(0.6)) return randomScalar();
  if (R.chance(0.5)) return Array.from({ length: R.int(0, 5) }, () => randomValue(depth + 1));
  const o = {};
  for (let i = R.int(0, 5); i > 0; i--) setKey(o, R.pick(KEY_POOL), randomValue(depth + 1));
  return o;
}

function nested(depth, leaf = 1) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = R.chance(0.5) ? [v] : { k: v };
  return v;
}

function mutateName(name) {
  return R.weighted([
    [() => name.toUpperCase(), 1],
    [() => name.toLowerCase(), 1],
    [() => ` ${name} `, 1],
    [() => name.slice(0, -1), 1],
    [() => name + R.pick(['x', '_', ' ', '\u0000', '.']), 1],
    [() => (name[0] ?? '').toUpperCase() + name.slice(1), 1],
    [() => randomString(), 1],
    [() => randomScalar(), 1],
    [() => [name], 1],
  ])();
}

function mutateObject(obj) {
  const keys = Object.keys(obj);
  const m = R.int(1, 3);
  for (let i = 0; i < m; i++) {
    R.weighted([
      [() => keys.length && delete obj[R.pick(keys)], 2],
      [() => setKey(obj, R.pick(KEY_POOL), randomValue()), 3],
      [() => keys.length && (obj[R.pick(keys)] = randomValue()), 3],
      [() => keys.length && (obj[R.pick(keys)] = randomScalar()), 2],
      [() => (obj.command = mutateName(typeof obj.command === 'string' ? obj.command : 'getState')), 2],
      [
        () => {
          obj.Command = obj.command;
          delete obj.command;
        },
        1,
      ],
      [() => (obj[R.pick(keys.length ? keys : ['x'])] = nested(R.int(5, 30))), 1],
      [() => setKey(obj, R.pick(KEY_POOL), 'z'.repeat(R.int(100, 20_000))), 1],
    ])();
  }
  return obj;
}

let idSeq = 0;
const newId = () => `f${SEED.toString(36)}-${(idSeq++).toString(36)}`;

/** One MQTT input: { target, payload (Buffer|string) }. */
function mqttInput() {
  const target = R.chance(0.2) ? 'system' : R.pick(ZONES);
  const specs = target === 'system' ? systemSpecs : zoneSpecs;
  const kind = R.weighted([
    ['valid', 15],
    ['mutated', 40],
    ['random_json', 8],
    ['random_bytes', 8],
    ['deep', 5],
    ['huge', Number(process.env.FUZZ_HUGE_WEIGHT ?? 3)],
    ['bad_id', 6],
    ['random_keys', 10],
    ['junk_text', 5],
  ]);
  let payload;
  const withId = (o) => ({ ...o, id: newId() });
  if (kind === 'valid' || kind === 'mutated' || kind === 'bad_id') {
    const spec = R.pick(specs);
    const name = R.chance(0.2) && spec.aliases.length ? R.pick(spec.aliases) : spec.name;
    let obj = { command: name, ...(SAMPLE_ARGS[spec.name]?.() ?? {}) };
    if (kind === 'mutated') obj = mutateObject(obj);
    obj = withId(obj);
    if (kind === 'bad_id') {
      delete obj.id;
      obj[R.pick(['id', 'Id', 'ID'])] = R.pick([
        R.int(0, 1e6),
        null,
        true,
        {},
        [],
        'i'.repeat(R.int(65, 500)),
        { id: 'x' },
      ]);
    }
    payload = JSON.stringify(obj);
  } else if (kind === 'random_json') {
    const v = randomValue();
    payload =
      JSON.stringify(R.chance(0.5) && v && typeof v === 'object' && !Array.isArray(v) ? withId(v) : v) ?? 'undefined';
  } else if (kind === 'random_bytes') {
    const b = Buffer.alloc(R.int(0, 2000));
    for (let i = 0; i < b.length; i++) b[i] = R.int(0, 255);
    payload = b;
  } else if (kind === 'deep') {
    const n = R.pick([15, 16, 17, 20, 100, 1000, 20_000]);
    payload =
      n <= 1000 && R.chance(0.5)
        ? JSON.stringify(withId({ command: 'getState', a: nested(n) }))
        : `{"command":"getState","id":"${newId()}","a":${'['.repeat(n)}${R.chance(0.5) ? ']'.repeat(n) : ''}}`;
  } else if (kind === 'huge') {
    const size = R.pick([1000, 30_000, 65_000, 65_536, 66_000, 100_000, 300_000]);
    payload = JSON.stringify(
      withId({ command: R.pick(['playBackground', 'getState', 'setVolume']), file: 'x'.repeat(size) }),
    );
  } else if (kind === 'random_keys') {
    const o = {};
    for (let i = R.int(0, 30); i > 0; i--) setKey(o, R.chance(0.7) ? R.pick(KEY_POOL) : randomString(), randomValue());
    if (R.chance(0.5)) o.command = R.pick(specs).name;
    payload = JSON.stringify(withId(o));
  } else {
    payload = R.pick([
      '',
      ' ',
      'null',
      '[]',
      '"getState"',
      '42',
      'NaN',
      '{',
      '{"command":',
      '{"command":"getState",}',
      "{'command':'getState'}",
      'getState',
      '\u0000',
      '{"command":"getState"}garbage',
      '\ufeff{"command":"getState"}',
    ]);
  }
  return { target, payload };
}

/** What the supervisor will say, by the same protocol code: id it can read, and whether it is invalid. */
function predict(target, payload) {
  let id = null;
  try {
    id = peekId(parseJsonObject(payload));
  } catch {
    id = null;
  }
  let env;
  try {
    env = parseCommandPayload(payload);
  } catch {
    return { id, invalid: true, name: null };
  }
  const table = target === 'system' ? systemTable : zoneTable;
  const spec = table.lookup(env.command);
  if (!spec) return { id, invalid: true, name: env.command };
  let args;
  try {
    args = table.parseArgs(spec, env.args);
  } catch {
    return { id, invalid: true, name: spec.name };
  }
  if (target === 'system' && Array.isArray(args.zones) && args.zones.some((z) => !ZONES.includes(z)))
    return { id, invalid: true, name: spec.name };
  if (target !== 'system' && spec.kinds && !spec.kinds.includes('audio')) return { id, invalid: true, name: spec.name };
  if (target !== 'system' && spec.mediaArg && !resolveMediaPath(mediaDir, args[spec.mediaArg]).ok)
    return { id, invalid: true, name: spec.name };
  return { id, invalid: false, name: spec.name };
}

const destructive = (target, name) =>
  name !== null && (target === 'system' ? DESTRUCTIVE_SYSTEM.has(name) : DESTRUCTIVE_ZONE.has(name));

/** Resolve a name (alias included) to its spec name on the topic, for the destructive filter. */
function specName(target, payload) {
  try {
    const env = parseCommandPayload(payload);
    return (target === 'system' ? systemTable : zoneTable).lookup(env.command)?.name ?? null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------ raw sockets

const frame = (data) => `${JSON.stringify({ type: 'mpvisor.msg', data })}\f`;

/** A raw node-ipc-framed connection: writes frames, collects replies, knows when the server closed it. */
function rawConn(path) {
  return new Promise((resolve) => {
    const s = connect(path);
    const c = { s, closed: false, replies: [], buf: '', closedAt: null };
    s.setEncoding('utf8');
    s.on('data', (d) => {
      c.buf += d;
      let i;
      while ((i = c.buf.indexOf('\f')) >= 0) {
        const f = c.buf.slice(0, i);
        c.buf = c.buf.slice(i + 1);
        try {
          c.replies.push(JSON.parse(f).data);
        } catch {
          /* ignore */
        }
      }
    });
    s.on('close', () => {
      c.closed = true;
      c.closedAt = performance.now();
    });
    s.on('error', () => {});
    s.on('connect', () => resolve(c));
    setTimeout(() => resolve(c), 2000);
  });
}

const ws = { frames: 0, hellos_refused: 0, hellos_not_refused: 0, connections: 0, garbage: 0 };
const cs = { requests: 0, valid: 0, replies: 0, invalid_requests: 0, garbage: 0, connections: 0 };
const fakePids = new Set();

function workerMessage(realZone) {
  const pidish = R.pick([R.int(2, 4_000_000), process.pid, 1, 0, -1]);
  fakePids.add(pidish);
  return R.weighted([
    [() => ({ type: 'ready', mpv: [{ role: 'background', instance: 'x', pid: pidish, alive: true, restarts: 0 }] }), 1],
    [() => ({ type: 'heartbeat', seq: R.int(0, 1e6), mpv: [], healthy: R.chance(0.5), problems: ['impostor'] }), 1],
    [() => ({ type: 'state', media: { background: { file: '/etc/passwd', status: 'playing', volume: 100 } } }), 1],
    [() => ({ type: 'event', event: { type: 'background', state: 'ended', file: 'impostor.wav' } }), 1],
    [() => ({ type: 'warning', message: 'impostor warning' }), 1],
    [() => ({ type: 'log', level: 'error', message: 'impostor log' }), 1],
    [() => ({ type: 'process', action: 'spawned', role: 'mpv', instance: `${realZone}/background`, pid: pidish }), 2],
    [() => ({ type: 'response', reply_to: R.int(0, 100), outcome: 'success', message: 'impostor' }), 1],
    [
      () =>
        mutateObject({ type: R.pick(['hello', 'ready', 'state', 'process', 'response']), zone: realZone, pid: pidish }),
      2,
    ],
    [() => randomValue(), 1],
  ])();
}

/** 32 hex digits, the shape of a real worker token, from the seeded generator. */
const guessToken = () => Array.from({ length: 32 }, () => '0123456789abcdef'[R.int(0, 15)]).join('');

async function fuzzWorkerSocket(sup, st) {
  const c = await rawConn(sup.workerSocket);
  ws.connections++;
  const zone = R.pick(ZONES);
  const realPid = st.get(zone)?.pid ?? 0;
  const r = R.next();
  if (r < 0.35) {
    // A hello that must be refused: a wrong pid, a wrong protocol, an unknown zone, or the real
    // worker's pid without its spawn's token (none, or a guess; the real one never left the worker).
    const hello = R.weighted([
      [
        {
          type: 'hello',
          zone,
          pid: R.pick([realPid + 1, realPid - 1, process.pid, R.int(2, 4_000_000)]),
          protocol: 1,
          token: guessToken(),
        },
        3,
      ],
      [{ type: 'hello', zone, pid: realPid, protocol: 999, token: guessToken() }, 1],
      [{ type: 'hello', zone: `${zone}-nope`, pid: realPid, protocol: 1, token: guessToken() }, 1],
      [{ type: 'hello', zone, pid: realPid, protocol: 1, token: guessToken() }, 2],
      [{ type: 'hello', zone, pid: realPid, protocol: 1 }, 1],
    ]);
    c.s.write(frame(hello));
    ws.frames++;
    // Then what an attached worker could say: it must go nowhere.
    for (let i = R.int(0, 3); i > 0; i--) c.s.write(frame(workerMessage(zone)));
    const t = performance.now();
    while (!c.closed && performance.now() - t < 3000) await sleep(10);
    if (c.closed) ws.hellos_refused++;
    else {
      ws.hellos_not_refused++;
      violate('worker_socket_hello_not_refused', { hello });
    }
  } else if (r < 0.75) {
    // Messages without a hello: validated, then ignored (no zone is attached to this peer).
    for (let i = R.int(1, 10); i > 0; i--) {
      if (c.closed) break;
      c.s.write(frame(workerMessage(zone)));
      ws.frames++;
    }
    await sleep(5);
  } else {
    // Broken framing: not JSON, not an object, reserved or prototype event names, oversize frames.
    ws.garbage++;
    const g = R.weighted([
      ['not json\f', 1],
      ['[1,2,3]\f', 1],
      ['{"type":"error","data":{}}\f', 1],
      ['{"type":"__proto__","data":{}}\f', 1],
      ['{"type":"constructor","data":{}}\f', 1],
      ['{"type":"","data":{}}\f', 1],
      ['{"type":"mpvisor.msg","data":null}\f', 1],
      ['{"type":"mpvisor.msg"}\f', 1],
      [`{"type":"mpvisor.msg","data":${'['.repeat(5000)}${']'.repeat(5000)}}\f`, 1],
      [`{"type":"${'t'.repeat(5000)}","data":{}}\f`, 1],
      ['{"type":"mpvisor.msg","data":{"type":"hello"', 1],
      [() => `{"type":"mpvisor.msg","data":"${'x'.repeat(1_100_000)}"}\f`, 0.05],
    ]);
    c.s.write(typeof g === 'function' ? g() : g);
    ws.frames++;
    await sleep(5);
  }
  c.s.destroy();
}

let ctl = null;
let reqSeq = 1;
const pendingCtl = new Map(); // req_id -> {expectInvalid, at}
async function fuzzControlSocket(sup) {
  if (!ctl || ctl.closed) {
    ctl = await rawConn(sup.controlSocket);
    cs.connections++;
  }
  const r = R.next();
  if (r < 0.15) {
    const req = { verb: 'status', req_id: reqSeq++ };
    pendingCtl.set(req.req_id, { at: performance.now(), expectInvalid: false, conn: ctl });
    ctl.s.write(frame(req));
    cs.valid++;
  } else if (r < 0.75) {
    const { target, payload } = mqttInput();
    const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
    if (destructive(target, specName(target, text))) return false;
    if (text.length > 64 * 1024) return false;
    const req = {
      verb: 'command',
      req_id: reqSeq++,
      target: target === 'system' ? { kind: 'system' } : { kind: 'zone', zone: R.chance(0.05) ? 'nozone' : target },
      payload: text,
    };
    const p = predict(target, text);
    noteSent(cmd.topicOf(target), 'control', p.id);
    // The supervisor publishes a control command's outcome on MQTT too (unless the zone is unknown).
    if (req.target.kind === 'system' || req.target.zone !== 'nozone') {
      if (p.id !== null && !cmd.tracked.has(p.id))
        cmd.expectOutcome(target, p.id, { expect: p.invalid ? 'invalid' : null, command: p.name });
      else if (p.id === null) sentNull.set(cmd.eventsOf(target), (sentNull.get(cmd.eventsOf(target)) ?? 0) + 1);
    }
    pendingCtl.set(req.req_id, {
      at: performance.now(),
      expectInvalid: p.invalid || req.target.zone === 'nozone',
      conn: ctl,
    });
    ctl.s.write(frame(req));
    cs.valid++;
  } else if (r < 0.95) {
    // Requests the schema refuses: no reply, the connection stays.
    const bad = R.pick([
      { verb: 'status' },
      { verb: 'nope', req_id: 1 },
      { verb: 'command', req_id: reqSeq++, target: { kind: 'zone', zone: 'z'.repeat(65) }, payload: '{}' },
      { verb: 'command', req_id: reqSeq++, target: { kind: 'moon' }, payload: '{}' },
      { verb: 'command', req_id: reqSeq++, target: { kind: 'system' }, payload: { command: 'status' } },
      { verb: 'status', req_id: 'one' },
      { verb: 'status', req_id: 1.5 },
      randomValue(),
    ]);
    ctl.s.write(frame(bad));
    cs.invalid_requests++;
  } else {
    // Broken framing makes the server drop the connection: first let the requests on it be answered.
    const t = performance.now();
    while ([...pendingCtl.values()].some((p) => p.conn === ctl) && performance.now() - t < 15_000) {
      collectControlReplies();
      await sleep(2);
    }
    ctl.s.write(
      R.pick([
        'garbage\f',
        '{"type":"error","data":{}}\f',
        '[]\f',
        '{"type":"mpvisor.msg","data":{"verb":"status","req_id":1}',
      ]),
    );
    cs.garbage++;
    ctl.s.destroy();
    ctl = null;
    return true;
  }
  cs.requests++;
  return true;
}

function collectControlReplies() {
  for (const conn of new Set([...pendingCtl.values()].map((p) => p.conn))) {
    for (const rep of conn.replies.splice(0)) {
      cs.replies++;
      const p = pendingCtl.get(rep?.reply_to);
      if (!p) {
        violate('control_reply_unexpected', { reply_to: rep?.reply_to });
        continue;
      }
      pendingCtl.delete(rep.reply_to);
      if (p.expectInvalid && !(rep.ok && rep.data?.outcome === 'invalid'))
        violate('control_expected_invalid', { reply: JSON.stringify(rep).slice(0, 300) });
    }
  }
}

// ------------------------------------------------------------------------------------ the run

const { dir, media, broker } = await prepareRun('mpvfuzz');
const mediaDir = media;
// log_level = warn: every invalid command is still logged (at warn), but 100,000 success lines are
// not piped through; the RSS measured is the supervisor's, not its log volume.
// A generous start-up bound: on a loaded shared machine a worker's first mpv can take over 10 s.
const ini = iniFor({
  port: broker.port,
  media,
  base,
  zones: ZONES,
  logLevel: 'warn',
  system: ['startup_timeout_ms = 60000'],
}).replace('[global]', `protocol_version = ${PROTOCOL}\n[global]`);
const heapDir = join(dir.path, 'heap');
const nodeOptions = [
  flags['supervisor-node-options'] ?? '',
  flags['heap-snapshots'] ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}` : '',
]
  .join(' ')
  .trim();
if (flags['heap-snapshots']) mkdirSync(heapDir, { recursive: true });
const sup = launchSupervisor({ dir: dir.path, ini, env: nodeOptions ? { NODE_OPTIONS: nodeOptions } : {} });

const liveHeapOfSupervisor = () => liveHeapMb(sup.pid, heapDir);
let cmd = null;
let door = null;
const report = {
  kind: 'fuzz',
  seed: SEED,
  params: {
    inputs: INPUTS,
    protocol: PROTOCOL,
    kick_every: KICK_EVERY,
    zones: ZONES.length,
    window: WINDOW,
    rss_target_mb: RSS_TARGET_MB,
    rss_limit_mb: RSS_LIMIT_MB,
    heap_snapshots: flags['heap-snapshots'],
    heap_limit_mb: HEAP_LIMIT_MB,
    supervisor_node_options: flags['supervisor-node-options'] ?? null,
  },
  machine: machine(),
};
const sentNull = new Map();
// Every (target, requester, id) sent, on every lane: the supervisor answers a repeat from the cache and
// counts it as a duplicate, so its `duplicates` may not exceed the repeats sent. Random payloads repeat an
// id now and then (a numeric `id` from bad_id, the door's reuse pairs), and those repeats count here.
const sentKeys = new Set();
let repeatsSent = 0;
function noteSent(topic, requester, id) {
  if (id === null) return;
  const key = JSON.stringify([topic, requester, id]);
  if (sentKeys.has(key)) repeatsSent++;
  else sentKeys.add(key);
}
const counts = {
  mqtt: 0,
  mqtt5: 0,
  mqtt_with_id: 0,
  mqtt_without_id: 0,
  predicted_invalid: 0,
  worker_socket: 0,
  control_socket: 0,
  dropped_destructive: 0,
  bytes: 0,
};
const rss = [];
try {
  cmd = await Commander.connect(broker.url, base, { retryMs: Infinity });
  const readyBy = performance.now() + 180_000;
  let st0;
  for (;;) {
    st0 = await controlStatus(sup.controlSocket).catch(() => null);
    if (st0 && ZONES.every((z) => st0.zones.find((x) => x.zone === z)?.state === 'ready')) break;
    if (performance.now() > readyBy) throw new Error('zones not ready within 180 s');
    await sleep(200);
  }
  const workers0 = new Map(st0.zones.map((z) => [z.zone, z.pid]));
  const restarts0 = new Map(st0.zones.map((z) => [z.zone, z.restarts]));
  door = await Mqtt5Door.open({
    url: broker.url,
    base,
    zones: ZONES,
    R,
    randomString,
    supervisorClientId: /^client_id = (.*)$/m.exec(ini)[1],
    availability: `${base}/rel/availability`,
    answersReplies: PROTOCOL === 5,
    violate,
    onSent: noteSent,
  });
  cmd.listeners.add((topic, m) => door.onEvent(topic, m));
  const metrics0 = (await cmd.send('system', { command: 'metrics' }, { waitMs: 10_000 }))?.result;
  const stMap = new Map(st0.zones.map((z) => [z.zone, z]));
  const rssStart = rssKb(sup.pid);
  let rssWarm = null;
  let heapWarm = null;
  let heapEnd = null;
  // Warm-up: the first 10% of the inputs (the id cache fills to 2,000, V8 sizes its heap).
  const warmAt = Math.floor(INPUTS * 0.1);
  say(`seed ${SEED}; ${INPUTS} inputs, ${ZONES.length} zones; supervisor RSS ${(rssStart / 1024).toFixed(1)} MB`);
  const rssTimer = setInterval(() => {
    const kb = rssKb(sup.pid);
    if (kb !== null) rss.push(kb);
  }, 500);
  const outstanding = () => {
    let n = cmd.unanswered.size + door.outstanding();
    for (const [topic, sent] of sentNull) n += Math.max(0, sent - (cmd.nullIdOutcomes.get(topic) ?? 0));
    return n;
  };
  const tFuzz = performance.now();
  let i = 0;
  while (i < INPUTS) {
    if (i === warmAt) {
      // RSS first: writing a heap snapshot itself costs the supervisor memory.
      rssWarm = rssKb(sup.pid);
      if (flags['heap-snapshots']) {
        while (outstanding() > 0) await sleep(5);
        heapWarm = await liveHeapOfSupervisor();
      }
    }
    if (i % PROGRESS === 0 && i > 0)
      say(`${i} inputs, outstanding ${outstanding()}, supervisor RSS ${(rssKb(sup.pid) / 1024).toFixed(1)} MB`);
    if (i > 0 && i % KICK_EVERY === 0 && door.counts.kicks < Math.floor(i / KICK_EVERY)) {
      // Nothing in flight: a command published while the supervisor is away would be lost, not wrong.
      const t = performance.now();
      while ((outstanding() > 0 || pendingCtl.size > 0) && performance.now() - t < 60_000) {
        collectControlReplies();
        await sleep(5);
      }
      await door.kick();
    }
    const lane = R.next();
    if (lane < 0.04) {
      await fuzzWorkerSocket(sup, stMap);
      counts.worker_socket++;
      i++;
      continue;
    }
    if (lane >= 0.08 && lane < 0.18) {
      const { target, payload } = mqttInput();
      if (destructive(target, specName(target, payload))) {
        counts.dropped_destructive++;
        continue;
      }
      while (outstanding() >= WINDOW) await sleep(1);
      const p = predict(target, payload);
      counts.mqtt5++;
      counts.bytes += Buffer.byteLength(payload);
      if (await door.send(target, cmd.topicOf(target), cmd.eventsOf(target), payload, p)) {
        sentNull.set(cmd.eventsOf(target), (sentNull.get(cmd.eventsOf(target)) ?? 0) + 1);
      }
      i++;
      continue;
    }
    if (lane < 0.08) {
      if (await fuzzControlSocket(sup)) {
        counts.control_socket++;
        i++;
      } else counts.dropped_destructive++;
      if (pendingCtl.size > 64) {
        const t = performance.now();
        while (pendingCtl.size > 16 && performance.now() - t < 15_000) {
          collectControlReplies();
          await sleep(2);
        }
      }
      continue;
    }
    const { target, payload } = mqttInput();
    if (destructive(target, specName(target, payload))) {
      counts.dropped_destructive++;
      continue;
    }
    while (outstanding() >= WINDOW) await sleep(1);
    const p = predict(target, payload);
    const events = cmd.eventsOf(target);
    counts.mqtt++;
    counts.bytes += Buffer.byteLength(payload);
    if (p.invalid) counts.predicted_invalid++;
    noteSent(cmd.topicOf(target), 'plain', p.id);
    if (p.id !== null && !cmd.tracked.has(p.id)) {
      counts.mqtt_with_id++;
      void cmd.send(
        target,
        { command: p.name },
        { raw: payload, id: p.id, waitMs: 1, expect: p.invalid ? 'invalid' : null },
      );
    } else {
      counts.mqtt_without_id++;
      sentNull.set(events, (sentNull.get(events) ?? 0) + 1);
      cmd.client.publish(cmd.topicOf(target), payload, { qos: 1 }, () => {});
    }
    i++;
  }
  const fuzzMs = performance.now() - tFuzz;
  say(`${INPUTS} inputs in ${(fuzzMs / 1000).toFixed(1)} s; draining`);
  // Every outcome in (bounded).
  const drainBy = performance.now() + 60_000;
  while ((outstanding() > 0 || pendingCtl.size > 0) && performance.now() < drainBy) {
    collectControlReplies();
    await sleep(50);
  }
  collectControlReplies();
  ctl?.s.destroy();
  await sleep(1000);
  const v = cmd.verify();
  door.verify();
  const byKind = {};
  for (const p of v.problems) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  for (const p of v.problems.slice(0, 30))
    violate(`mqtt_${p.kind}`, { ...p, outcomes: undefined, first: p.outcomes?.[0] });
  if (v.problems.length > 30) violate('mqtt_problems_truncated', { more: v.problems.length - 30, by_kind: byKind });
  const nullIds = {};
  for (const [topic, sent] of sentNull) {
    const got = cmd.nullIdOutcomes.get(topic) ?? 0;
    nullIds[topic] = { sent, outcomes: got };
    if (got !== sent) violate('mqtt_outcomes_without_id_mismatch', { topic, sent, outcomes: got });
  }
  for (const [reqId, p] of pendingCtl)
    violate('control_no_reply', { req_id: reqId, waited_ms: Math.round(performance.now() - p.at) });
  // Outcome kinds among tracked commands (predicted valid vs got invalid: informational).
  const outcomeKinds = {};
  let predictedValidGotInvalid = 0;
  for (const t of cmd.tracked.values()) {
    const o = t.answers[0]?.outcome;
    if (!o) continue;
    outcomeKinds[o.outcome] = (outcomeKinds[o.outcome] ?? 0) + 1;
    if (!t.expect && o.outcome === 'invalid') predictedValidGotInvalid++;
  }

  // Still alive, still ready, same workers; nothing an impostor said reached the ledger.
  clearInterval(rssTimer);
  const alive = sup.running();
  if (!alive) violate('supervisor_died', { code: sup.child.exitCode, signal: sup.child.signalCode });
  const st1 = alive
    ? await controlStatus(sup.controlSocket).catch((err) => violate('control_status_failed', { message: err.message }))
    : null;
  for (const z of ZONES) {
    const zs = st1?.zones.find((x) => x.zone === z);
    if (!zs || zs.state !== 'ready') violate('zone_not_ready', { zone: z, state: zs?.state });
    // Restarts counted before the fuzz began (a slow start-up on a loaded machine) are not the fuzz's.
    else if (zs.pid !== workers0.get(z) || zs.restarts !== restarts0.get(z))
      violate('worker_restarted', {
        zone: z,
        before: workers0.get(z),
        after: zs.pid,
        restarts: zs.restarts,
        restarts_at_start: restarts0.get(z),
        last_exit: zs.last_exit,
      });
  }
  const mpvRestarts = Object.fromEntries(
    (st1?.zones ?? []).map((z) => [z.zone, z.mpv_processes.reduce((n, m) => n + (m.restarts ?? 0), 0)]),
  );
  const ledger = readLedger(sup.ledgerFile);
  const bogus = (ledger?.processes ?? []).filter((e) => fakePids.has(e.pid) && e.pid !== process.pid);
  if ((ledger?.processes ?? []).some((e) => e.pid === process.pid))
    violate('impostor_pid_in_ledger', { pid: process.pid });
  if (bogus.length) violate('impostor_pids_in_ledger', { entries: bogus.slice(0, 5) });
  // A valid command still works, on MQTT and on the control socket.
  for (const z of ZONES) {
    const o = await cmd.send(z, { command: 'getState' }, { waitMs: 10_000 });
    if (o?.outcome !== 'success') violate('final_getState_failed', { zone: z, outcome: o });
  }
  const so = await cmd.send('system', { command: 'status' }, { waitMs: 10_000 });
  if (so?.outcome !== 'success') violate('final_system_status_failed', { outcome: so });
  const metrics1 = (await cmd.send('system', { command: 'metrics' }, { waitMs: 10_000 }))?.result;
  const mqtt5 = {
    ...door.counts,
    door_client_disconnects: door.clientCloses,
    supervisor_reconnects: (metrics1?.mqtt?.reconnects ?? NaN) - (metrics0?.mqtt?.reconnects ?? NaN),
    supervisor_duplicates: (metrics1?.commands?.duplicates ?? NaN) - (metrics0?.commands?.duplicates ?? NaN),
    repeats_sent: repeatsSent,
    replies_published: metrics1?.mqtt?.replies ?? null,
    replies_dropped: metrics1?.mqtt?.replies_dropped ?? null,
  };
  if (door.clientCloses > 0) violate('harness_door_client_dropped_by_broker', { closes: door.clientCloses });
  if (!(mqtt5.supervisor_reconnects === door.counts.kicks))
    violate('supervisor_reconnected', { reconnects: mqtt5.supervisor_reconnects, kicks: door.counts.kicks });
  if (!(mqtt5.supervisor_duplicates <= repeatsSent))
    violate('reused_id_dropped_as_duplicate', {
      duplicates: mqtt5.supervisor_duplicates,
      repeats_sent: repeatsSent,
      same_requester_repeats: door.counts.same_requester_repeats,
    });
  if (metrics1?.mqtt?.connected !== true) violate('supervisor_not_connected', { mqtt: metrics1?.mqtt });
  await door.clearRetained([...ZONES, 'system'].map((t) => cmd.topicOf(t)));
  const rssEnd = rssKb(sup.pid);
  const rssMax = Math.max(...rss, rssEnd ?? 0);
  const growth = ((rssEnd ?? 0) - (rssWarm ?? rssStart)) / 1024;
  if (RSS_LIMIT_MB !== null && growth > RSS_LIMIT_MB)
    violate('rss_growth', { warm_mb: (rssWarm ?? rssStart) / 1024, end_mb: rssEnd / 1024, limit_mb: RSS_LIMIT_MB });
  if (flags['heap-snapshots'] && sup.running()) {
    heapEnd = await liveHeapOfSupervisor();
    if (heapWarm !== null && heapEnd !== null && heapEnd - heapWarm > HEAP_LIMIT_MB)
      violate('live_heap_growth', { warm_mb: heapWarm, end_mb: heapEnd, limit_mb: HEAP_LIMIT_MB });
  }
  const exit = await sup.terminate(30_000);
  if (exit.forced || exit.code !== 0)
    violate('unclean_shutdown', { code: exit.code, signal: exit.signal, forced: exit.forced });
  await sleep(500);
  const left = processesMentioning(dir.path).filter((s) => s.pid !== broker.pid());
  if (left.length) violate('left_alive_after_stop', { processes: left.map((s) => s.pid) });

  Object.assign(report, {
    duration_s: Math.round((performance.now() - T0) / 1000),
    fuzz_s: +(fuzzMs / 1000).toFixed(1),
    inputs_per_s: Math.round(INPUTS / (fuzzMs / 1000)),
    inputs: counts,
    mqtt5,
    mqtt: {
      tracked_ids: v.commands,
      outcomes: v.answers,
      answered_more_than_once: v.answered_more_than_once,
      outcome_kinds: outcomeKinds,
      predicted_valid_but_invalid: predictedValidGotInvalid,
      without_id: nullIds,
    },
    worker_socket: ws,
    control_socket: cs,
    mpv_restarts: mpvRestarts,
    supervisor_rss_mb: {
      start: +(rssStart / 1024).toFixed(1),
      after_warmup: +((rssWarm ?? rssStart) / 1024).toFixed(1),
      warmup_inputs: warmAt,
      end: +((rssEnd ?? 0) / 1024).toFixed(1),
      max: +(rssMax / 1024).toFixed(1),
      growth_after_warmup: +growth.toFixed(1),
      growth_from_start: +(((rssEnd ?? 0) - rssStart) / 1024).toFixed(1),
      target_growth: RSS_TARGET_MB,
      target_met: growth < RSS_TARGET_MB,
      limit: RSS_LIMIT_MB,
    },
    supervisor_live_heap_mb: flags['heap-snapshots']
      ? {
          after_warmup: heapWarm,
          end: heapEnd,
          growth: heapWarm !== null && heapEnd !== null ? +(heapEnd - heapWarm).toFixed(1) : null,
          limit: HEAP_LIMIT_MB,
        }
      : null,
    shutdown: { code: exit.code, signal: exit.signal },
    crashes: violations.filter((x) => ['supervisor_died', 'worker_restarted', 'zone_not_ready'].includes(x.kind))
      .length,
    violations_count: violations.length,
    violations: violations.slice(0, 100),
  });
} catch (err) {
  violate('harness_error', { message: err.message, stack: err.stack });
  Object.assign(report, { violations_count: violations.length, violations: violations.slice(0, 100) });
} finally {
  ctl?.s.destroy();
  await door?.close();
  await cmd?.close();
  if (sup.running()) await sup.terminate(10_000);
  await broker.stop();
}
writeFileSync(REPORT, JSON.stringify(report, null, 2) + '\n');
if (violations.length || flags.keep) {
  try {
    copyFileSync(sup.logFile, REPORT.replace(/\.json$/, '') + '.supervisor.log');
  } catch {
    /* none */
  }
}
if (!flags.keep) dir.remove();
console.log('\n== fuzz report ==');
const { violations: _v, ...summary } = report;
console.log(JSON.stringify(summary, null, 1));
console.log(`violations: ${violations.length}`);
console.log(`report: ${REPORT}`);
process.exit(violations.length ? 1 : 0);
