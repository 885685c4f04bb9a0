// Shared helpers for the reliability scripts (chaos.mjs, fuzz.mjs, bench-scale.mjs): a private run
// (Mosquitto + supervisor as a child process, output to a log file), an MQTT commander that tracks
// every command id to its outcomes, /proc readers, and small statistics helpers.
// Plain Node ESM over the built dist/ of the workspace packages (run `npx tsc -b` first).
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ensureDemoMedia } from '../../packages/config/dist/index.js';
import { IpcClient } from '../../packages/ipc/dist/index.js';
import { parseControlReply } from '../../packages/protocol/dist/index.js';
import { readStat } from '../../packages/sys/dist/index.js';
import { cliPath, startMosquitto, tempDir } from '../../packages/testkit/dist/index.js';

export { bundledCliPath, cliPath, isNodeComm } from '../../packages/testkit/dist/index.js';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Seeded PRNG (mulberry32) so a failing run can be replayed with --seed. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    weighted(table) {
      const total = table.reduce((n, [, w]) => n + w, 0);
      let x = next() * total;
      for (const [v, w] of table) {
        x -= w;
        if (x < 0) return v;
      }
      return table.at(-1)[0];
    },
  };
  return r;
}

// ---------------------------------------------------------------- statistics and machine facts

export function stats(xs) {
  if (xs.length === 0) return { n: 0, p50: null, p95: null, p99: null, max: null, min: null };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  const r = (v) => Math.round(v * 10) / 10;
  return { n: s.length, p50: r(q(50)), p95: r(q(95)), p99: r(q(99)), max: r(s.at(-1)), min: r(s[0]) };
}

export function machine() {
  let load = null;
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    load = null;
  }
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    node: process.version,
    loadavg: load,
  };
}

// ---------------------------------------------------------------- /proc

/** /proc/PID/stat through the one /proc reader, with `ticks` (utime + stime) for CPU figures. */
export function procStat(pid) {
  const st = readStat(pid);
  return st === null ? null : { ...st, ticks: st.cpuTicks };
}

export const alive = (st) => st !== null && st.state !== 'Z' && st.state !== 'X';

/** Alive and still the same process (pid reuse guard). */
export function sameProcess(pid, starttime) {
  const st = procStat(pid);
  return alive(st) && st.starttime === starttime;
}

export function allStats() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(Number(d));
    if (st) out.push(st);
  }
  return out;
}

/** Live descendants of root with their stats (one /proc scan). */
export function descendantStats(root, stats = allStats()) {
  const kids = new Map();
  for (const s of stats) {
    if (!alive(s)) continue;
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push(s);
  }
  const out = [];
  const stack = [root];
  while (stack.length) for (const c of kids.get(stack.pop()) ?? []) out.push(c), stack.push(c.pid);
  return out;
}

/** VmRSS in KiB (null if gone). */
export function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return null;
  }
}

/** Proportional set size in KiB (shared pages split between sharers), null if unreadable. */
export function pssKb(pid) {
  try {
    const m = /Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export const CLK_TCK = 100;

/**
 * The live heap of a Node process started with `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR`, in MB:
 * SIGUSR2 makes V8 collect garbage fully and write a snapshot into DIR; the sum of its nodes' self sizes
 * is what is alive. The snapshot file is removed once read. Null if none is complete within 60 s.
 */
export async function liveHeapMb(pid, dir) {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const t = performance.now();
  let file = null;
  let lastSize = -1;
  while (performance.now() - t < 60_000) {
    await sleep(200);
    file ??= readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot')) ?? null;
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    // Complete when the JSON closes and the size stopped changing.
    if (size === lastSize && size > 0) {
      try {
        const snap = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        const fields = snap.snapshot.meta.node_fields;
        const at = fields.indexOf('self_size');
        let total = 0;
        for (let i = at; i < snap.nodes.length; i += fields.length) total += snap.nodes[i];
        unlinkSync(join(dir, file));
        return +(total / 1048576).toFixed(1);
      } catch {
        /* still being written */
      }
    }
    lastSize = size;
  }
  return null;
}

/** Live processes whose environment or command line mentions a marker (this run's temp dir). */
export function processesMentioning(marker, stats = allStats()) {
  return stats.filter((s) => {
    if (s.pid === process.pid || !alive(s)) return false;
    try {
      return (
        readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').includes(marker) ||
        readFileSync(`/proc/${s.pid}/environ`, 'utf8').includes(marker)
      );
    } catch {
      return false;
    }
  });
}

/** Connect to a Unix socket: 'live', 'refused' (stale file), 'missing' or another error code. */
export function probeSocket(path, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = connect(path);
    const t = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve('live');
    });
    s.once('error', (err) => {
      clearTimeout(t);
      resolve(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ENOENT' ? 'missing' : (err.code ?? 'error'));
    });
  });
}

// ---------------------------------------------------------------- a private run

export function iniFor({ port, media, base, zones, global = [], system = [], zoneExtra = [], logLevel = 'info' }) {
  return [
    '[mqtt]',
    'broker = 127.0.0.1',
    `port = ${port}`,
    `base_topic = ${base}`,
    'device_name = rel',
    `client_id = mpvisor-rel-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
    '[global]',
    `log_level = ${logLevel}`,
    `media_base_path = ${media}`,
    'heartbeat_interval = 1000',
    `heartbeat_topic = ${base}/heartbeat`,
    ...global,
    '[system:main]',
    ...system,
    ...zones.flatMap((z) => [`[audio:${z}]`, `topic = ${base}/${z}`, 'media_dir = .', ...zoneExtra]),
  ].join('\n');
}

/** Temp dir with demo media and a Mosquitto (set_tcp_nodelay true). */
export async function prepareRun(prefix) {
  const dir = tempDir(prefix);
  const media = join(dir.path, 'media');
  mkdirSync(media, { recursive: true });
  await ensureDemoMedia(media);
  const broker = await startMosquitto({ dir: dir.path });
  return { dir, media, broker };
}

/**
 * `mpvisor run` as a child process whose stdout/stderr go straight to a file (no pipe through this
 * process, so a long run keeps neither side's memory growing with the log).
 */
export function launchSupervisor({
  dir,
  ini,
  logFile = join(dir, 'supervisor.log'),
  env = {},
  node = process.execPath,
  nodeArgs = [],
  cli = cliPath,
}) {
  const runDir = join(dir, 'run');
  const stateDir = join(dir, 'state');
  const file = join(dir, 'run.ini');
  writeFileSync(file, ini);
  const fd = openSync(logFile, 'a');
  const t0 = performance.now();
  // Workers run under the supervisor's own binary (process.execPath), so `node` picks the runtime of the tree.
  const child = spawn(node, [...nodeArgs, cli, 'run', '--run-dir', runDir, '--state-dir', stateDir, '--config', file], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return {
    child,
    pid: child.pid,
    runDir,
    stateDir,
    logFile,
    spawnedAt: t0,
    exited,
    controlSocket: join(runDir, 'control.sock'),
    workerSocket: join(runDir, 'workers.sock'),
    ledgerFile: join(stateDir, 'ledger.json'),
    running: () => child.exitCode === null && child.signalCode === null,
    /** SIGTERM and wait; SIGKILL after timeoutMs. Resolves the exit. */
    async terminate(timeoutMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer;
      const r = await Promise.race([exited, new Promise((res) => (timer = setTimeout(() => res(null), timeoutMs)))]);
      clearTimeout(timer);
      if (r) return { ...r, forced: false };
      child.kill('SIGKILL');
      return { ...(await exited), forced: true };
    },
  };
}

export function readLedger(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** One request over the CLI control socket (status or a command), like `mpvisor status --json`. */
export async function controlRequest(socketPath, msg, timeoutMs = 5000) {
  const client = await IpcClient.connect({ socketPath, parse: parseControlReply, timeoutMs: 2000 });
  try {
    return await client.request(msg, { timeoutMs });
  } finally {
    client.close();
  }
}

export async function controlStatus(socketPath, timeoutMs = 5000) {
  const r = await controlRequest(socketPath, { verb: 'status' }, timeoutMs);
  if (!r.ok) throw new Error(`status failed: ${JSON.stringify(r.data)}`);
  return r.data;
}

// ---------------------------------------------------------------- MQTT commander

const outcomeKey = (o) => JSON.stringify([o.id, o.command, o.zone, o.outcome, o.error_type, o.duration_ms]);

/**
 * One MQTT 5 client that sends commands with unique ids and records every outcome per id. A command
 * not answered within retryMs is published again with the same id (the supervisor answers a repeated
 * id again without running it twice), until giveUpMs after its first send.
 */
export class Commander {
  constructor(client, base, { retryMs = 4000, giveUpMs = 50_000 } = {}) {
    this.client = client;
    this.base = base;
    this.retryMs = retryMs;
    this.giveUpMs = giveUpMs;
    this.seq = 0;
    this.prefix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
    /** id -> {topic, payload, zone, sentAt, resends, answers: [outcome], keys: Set, waiters, expect} */
    this.tracked = new Map();
    this.unanswered = new Set();
    this.nullIdOutcomes = new Map(); // events topic -> count
    this.zoneStates = new Map();
    this.systemState = null;
    this.listeners = new Set();
    this.received = 0;
    this.resends = 0;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.retryTimer = setInterval(() => this.resendDue(), 500);
  }

  static async connect(url, base, opts = {}) {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      reconnectPeriod: 250,
      connectTimeout: 5000,
      clean: true,
    });
    client.stream.setNoDelay?.(true);
    client.on('connect', () => client.stream?.setNoDelay?.(true));
    client.on('error', () => {});
    const c = new Commander(client, base, opts);
    await client.subscribeAsync([`${base}/+/events`, `${base}/+/state`], { qos: 1 });
    return c;
  }

  topicOf(target) {
    return target === 'system' ? `${this.base}/system/commands` : `${this.base}/${target}/commands`;
  }

  eventsOf(target) {
    return `${this.base}/${target}/events`;
  }

  newId(tag = 'c') {
    return `${tag}-${this.prefix}-${(this.seq++).toString(36)}`;
  }

  onMessage(topic, payload) {
    this.received++;
    let m;
    try {
      m = JSON.parse(payload.toString());
    } catch {
      return;
    }
    if (topic.endsWith('/state')) {
      if (topic === `${this.base}/system/state`) this.systemState = m;
      else if (m && typeof m.zone === 'string') this.zoneStates.set(m.zone, m);
      return;
    }
    if (m?.type === 'command') {
      if (m.id === null || m.id === undefined) {
        this.nullIdOutcomes.set(topic, (this.nullIdOutcomes.get(topic) ?? 0) + 1);
      } else {
        const t = this.tracked.get(m.id);
        if (t) {
          t.answers.push({ at: performance.now(), topic, outcome: m });
          this.unanswered.delete(m.id);
          if (t.answers.length === 1) {
            t.answeredAt = performance.now();
            for (const w of t.waiters) w(m);
            t.waiters = [];
          }
        }
      }
    }
    for (const l of this.listeners) l(topic, m);
  }

  /**
   * Publish a tracked command. Resolves with the first outcome, or null after waitMs (tracking and
   * resending go on in the background). `expect` ('invalid'...) is checked by verify().
   */
  send(target, body, { waitMs = 10_000, expect = null, raw = null, id = null } = {}) {
    const cid = id ?? body.id ?? this.newId();
    const payload = raw ?? JSON.stringify({ ...body, id: cid });
    const topic = this.topicOf(target);
    const t = {
      id: cid,
      topic,
      events: this.eventsOf(target),
      payload,
      target,
      command: body.command,
      sentAt: performance.now(),
      lastSend: performance.now(),
      resends: 0,
      answers: [],
      waiters: [],
      expect,
    };
    this.tracked.set(cid, t);
    this.unanswered.add(cid);
    this.client.publish(topic, payload, { qos: 1 }, () => {});
    return this.wait(cid, waitMs);
  }

  /** Track an id whose command reaches the supervisor some other way (the control socket): its outcome is published too. */
  expectOutcome(target, id, { expect = null, command = null } = {}) {
    const t = {
      id,
      topic: null,
      events: this.eventsOf(target),
      payload: null,
      target,
      command,
      sentAt: performance.now(),
      lastSend: Infinity,
      resends: 0,
      answers: [],
      waiters: [],
      expect,
    };
    this.tracked.set(id, t);
    this.unanswered.add(id);
  }

  wait(id, waitMs) {
    const t = this.tracked.get(id);
    if (t.answers.length) return Promise.resolve(t.answers[0].outcome);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        t.waiters = t.waiters.filter((w) => w !== done);
        resolve(null);
      }, waitMs);
      const done = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      t.waiters.push(done);
    });
  }

  resendDue() {
    const now = performance.now();
    for (const id of this.unanswered) {
      const t = this.tracked.get(id);
      if (t.topic === null || now - t.sentAt > this.giveUpMs) continue;
      if (now - t.lastSend >= this.retryMs) {
        t.lastSend = now;
        t.resends++;
        this.resends++;
        this.client.publish(t.topic, t.payload, { qos: 1 }, () => {});
      }
    }
  }

  /** Wait until every tracked command has an outcome (or the bound passes). */
  async drain(timeoutMs = 60_000) {
    const deadline = performance.now() + timeoutMs;
    while (this.unanswered.size > 0 && performance.now() < deadline) {
      // Past giveUpMs nothing would resend: do it here, the supervisor's answer may have been lost.
      for (const id of this.unanswered) {
        const t = this.tracked.get(id);
        if (t.topic !== null && performance.now() - t.lastSend > this.retryMs) {
          t.lastSend = performance.now();
          t.resends++;
          this.resends++;
          this.client.publish(t.topic, t.payload, { qos: 1 }, () => {});
        }
      }
      await sleep(250);
    }
    return this.unanswered.size;
  }

  /** Every tracked id: at least one outcome, all outcomes identical, the expected kind where given. */
  verify() {
    const problems = [];
    let answersTotal = 0;
    let reanswered = 0;
    for (const t of this.tracked.values()) {
      answersTotal += t.answers.length;
      if (t.answers.length === 0) {
        problems.push({ kind: 'no_outcome', id: t.id, command: t.command, target: t.target, resends: t.resends });
        continue;
      }
      if (t.answers.length > 1) reanswered++;
      const keys = new Set(t.answers.map((a) => outcomeKey(a.outcome)));
      if (keys.size > 1)
        problems.push({
          kind: 'differing_outcomes',
          id: t.id,
          command: t.command,
          outcomes: t.answers.map((a) => a.outcome),
        });
      const wrongTopic = t.answers.find((a) => a.topic !== t.events);
      if (wrongTopic)
        problems.push({ kind: 'outcome_on_wrong_topic', id: t.id, topic: wrongTopic.topic, expected: t.events });
      const first = t.answers[0].outcome;
      if (t.expect && !(Array.isArray(t.expect) ? t.expect : [t.expect]).includes(first.outcome))
        problems.push({
          kind: 'unexpected_outcome',
          id: t.id,
          command: t.command,
          expected: t.expect,
          got: first.outcome,
          error_type: first.error_type,
          message: first.message,
        });
    }
    return {
      commands: this.tracked.size,
      answers: answersTotal,
      answered_more_than_once: reanswered,
      resends: this.resends,
      problems,
    };
  }

  async close() {
    clearInterval(this.retryTimer);
    await this.client.endAsync(true).catch(() => {});
  }
}

/** Distance on the 10 s loop of the demo tones (a looping track wraps to 0). */
export const circular = (d) => (((d % 10) + 15) % 10) - 5;
