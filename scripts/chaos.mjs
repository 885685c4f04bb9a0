#!/usr/bin/env node
// Chaos soak: a real Mosquitto, Z audio zones playing background music, random faults at a steady
// rate, invariants checked continuously and at the end. Uses the built dist/ (`npx tsc -b` first).
//
//   npm run chaos -- --minutes 10 --zones 4 [--seed 42] [--faults-per-minute 33] [--report FILE]
//
// Faults: kill -9 of a worker and of each mpv role (background, speech, effect-N); SIGSTOP/SIGCONT
// hangs of workers and mpv (held 1-5 s); broker SIGKILL + restart on the same port; bursts of mixed
// valid and invalid commands; zone `restart` and `reset` commands. A zone that goes `failed` is
// checked against the restart policy (max_restarts within restart_window_ms) and revived with a zone
// `restart` command. Exit code 1 on any violation; the report goes to stdout and to a JSON file.
import { copyFileSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  alive,
  allStats,
  circular,
  Commander,
  controlStatus,
  descendantStats,
  iniFor,
  isNodeComm,
  launchSupervisor,
  machine,
  prepareRun,
  probeSocket,
  procStat,
  processesMentioning,
  readLedger,
  rng,
  rssKb,
  sameProcess,
  sleep,
  stats,
} from './lib/harness.mjs';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    zones: { type: 'string', default: '3' },
    seed: { type: 'string' },
    'faults-per-minute': { type: 'string', default: '30' },
    report: { type: 'string' },
    'rss-growth-limit-mb': { type: 'string', default: '64' },
    'recovery-deadline-s': { type: 'string', default: '90' },
    keep: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});
const MINUTES = Number(flags.minutes);
const ZONES = Array.from({ length: Math.max(1, Number(flags.zones)) }, (_, i) => `z${i + 1}`);
const SEED = flags.seed !== undefined ? Number(flags.seed) : Date.now() % 1_000_000;
const FPM = Number(flags['faults-per-minute']);
const RSS_LIMIT_MB = Number(flags['rss-growth-limit-mb']);
const RECOVERY_DEADLINE_MS = Number(flags['recovery-deadline-s']) * 1000;
const REPORT = flags.report ?? join(tmpdir(), `mpvisor-chaos-${Date.now()}.json`);
const R = rng(SEED);
const base = 'chaos';
const TRACKS = ['tone-220.wav', 'tone-330.wav', 'tone-440.wav'];
// The restart policy in force: the defaults (nothing overridden in the INI below).
const POLICY = { max_restarts: 5, restart_window_ms: 300_000, heartbeat_timeout_ms: 3000 };

const T0 = performance.now();
const elapsed = () => ((performance.now() - T0) / 1000).toFixed(1);
const say = (...a) => {
  if (!flags.quiet) console.log(`[${elapsed()}s]`, ...a);
};

// ------------------------------------------------------------------------------------ bookkeeping

const violations = [];
const violated = new Set();
function violate(kind, detail = {}, onceKey = null) {
  if (onceKey !== null) {
    if (violated.has(`${kind}|${onceKey}`)) return;
    violated.add(`${kind}|${onceKey}`);
  }
  const v = { t_s: Number(elapsed()), kind, ...detail };
  violations.push(v);
  console.log(`[${elapsed()}s] VIOLATION ${kind} ${JSON.stringify(detail)}`);
}

const faults = {}; // kind -> count
const skipped = {}; // kind -> count (no suitable target at that moment)
const resetOutcomes = {}; // outcome/error_type -> count
const recoveries = []; // {kind, zone, ms}
const policy = { failed_legit: 0, failed_unverified: 0, revivals: 0 };
const bursts = { count: 0, commands: 0, last_outcome_ms: [] };
const rss = [];
let brokerBusy = false;
let lastBrokerFaultAt = -Infinity;
const recovering = new Map(); // zone -> number of active trackers
const reviving = new Set();
/** Per zone: times (performance.now) of `restarting` lifecycle events since the policy record was last reset. */
const restartTimes = new Map(ZONES.map((z) => [z, []]));
const seenLifecycle = new Set();
const pendingHolds = new Set();
const trackers = new Set();

const count = (table, kind) => (table[kind] = (table[kind] ?? 0) + 1);

// ------------------------------------------------------------------------------------ run setup

const { dir, media, broker } = await prepareRun('mpvchaos');
const marker = dir.path;
const ini = iniFor({ port: broker.port, media, base, zones: ZONES, logLevel: 'info' });
const sup = launchSupervisor({ dir: dir.path, ini });
let cmd = null;
let exitCode = 0;

const zoneStatus = async () => {
  const st = await controlStatus(sup.controlSocket, 5000).catch(() => null);
  return st ? new Map(st.zones.map((z) => [z.zone, z])) : null;
};

const send = (target, body, opts) => cmd.send(target, body, opts);

async function readTimePos(zone) {
  const r = await send(zone, { command: 'getMpvProperty', role: 'background', property: 'time-pos' }, { waitMs: 2500 });
  return r?.outcome === 'success' && typeof r.result?.value === 'number'
    ? { pid: r.result.pid, value: r.result.value, at: performance.now() }
    : null;
}

/**
 * Waits until the zone is `ready` (with whatever the fault needs: a new worker, a replaced mpv, no
 * stopped process) and its background mpv's time-pos advances. Returns the time it happened, or
 * null at the deadline. `replay`: after a restart/reset command the zone starts silent, so play again.
 */
async function recoverZone(zone, c, deadline) {
  let first = null;
  let replayed = !c.replay;
  const replayTrack = TRACKS[ZONES.indexOf(zone) % TRACKS.length];
  let why = 'start';
  while (performance.now() < deadline) {
    const zs = (await zoneStatus())?.get(zone);
    if (!zs || zs.state !== 'ready') {
      why = `state ${zs?.state ?? 'unknown'}`;
      first = null;
      await sleep(100);
      continue;
    }
    if (c.oldWorker && zs.pid === c.oldWorker) {
      why = 'old worker still reported';
      await sleep(50);
      continue;
    }
    if (c.stopped && procStat(c.stopped)?.state === 'T' && sameProcess(c.stopped, c.stoppedStart)) {
      why = 'process still stopped';
      await sleep(50);
      continue;
    }
    if (c.role && c.role !== 'background') {
      const r = await send(
        zone,
        { command: 'getMpvProperty', role: c.role, property: 'idle-active' },
        { waitMs: 2500 },
      );
      const ok =
        r?.outcome === 'success' &&
        typeof r.result?.value === 'boolean' &&
        (c.oldMpv === undefined || r.result.pid !== c.oldMpv);
      // A temporary effect voice that was killed may simply be gone (retired): that is recovered too.
      const gone = r?.outcome === 'invalid' && c.role.startsWith('effect-');
      if (!ok && !gone) {
        why = `${c.role} not answering (${r?.outcome ?? 'no outcome'})`;
        await sleep(100);
        continue;
      }
    }
    if (!replayed) {
      const r = await send(zone, { command: 'playBackground', file: replayTrack, loop: true }, { waitMs: 5000 });
      if (r?.outcome !== 'success') {
        why = `replay: ${r?.outcome ?? 'no outcome'}`;
        await sleep(200);
        continue;
      }
      replayed = true;
    }
    const tp = await readTimePos(zone);
    if (!tp || (c.role === 'background' && c.oldMpv !== undefined && tp.pid === c.oldMpv)) {
      why = 'background time-pos not readable';
      first = null;
      await sleep(50);
      continue;
    }
    if (first && first.pid === tp.pid && tp.at - first.at >= 100) {
      const d = circular(tp.value - first.value);
      if (d > 0.03 && d < 4) return tp.at;
      why = `time-pos not advancing (${first.value.toFixed(2)} -> ${tp.value.toFixed(2)})`;
      first = tp;
    } else if (!first || first.pid !== tp.pid) first = tp;
    await sleep(50);
  }
  return { timeout: why };
}

/** One recovery measurement: fault time -> every affected zone ready and playing. */
function track(kind, zones, t0, c = {}) {
  const p = (async () => {
    for (const z of zones) recovering.set(z, (recovering.get(z) ?? 0) + 1);
    try {
      const deadline = t0 + RECOVERY_DEADLINE_MS;
      const ends = await Promise.all(zones.map((z) => recoverZone(z, c, deadline)));
      const bad = zones.filter((_, i) => typeof ends[i] !== 'number');
      if (bad.length) {
        for (const [i, z] of zones.entries())
          if (typeof ends[i] !== 'number')
            violate('not_recovered', {
              fault: kind,
              zone: z,
              within_s: RECOVERY_DEADLINE_MS / 1000,
              last_problem: ends[i].timeout,
            });
        // Keep the soak going: make the zone play again for the next faults.
        for (const z of bad) {
          await send(z, { command: 'restart', reason: 'chaos repair after a missed recovery' }, { waitMs: 15_000 });
          await send(
            z,
            { command: 'playBackground', file: TRACKS[ZONES.indexOf(z) % TRACKS.length], loop: true },
            { waitMs: 5000 },
          );
        }
        return;
      }
      const ms = Math.max(...ends) - t0;
      recoveries.push({ kind, zone: zones.length === 1 ? zones[0] : 'all', ms });
    } finally {
      for (const z of zones) recovering.set(z, recovering.get(z) - 1);
    }
  })();
  trackers.add(p);
  p.finally(() => trackers.delete(p));
  return p;
}

// ------------------------------------------------------------------------------------ faults

/** Current status, choosing a zone with a live worker; prefers zones that are not recovering. */
async function pickZone(need = () => true) {
  const st = await zoneStatus();
  if (!st) return null;
  const ok = [...st.values()].filter((z) => z.state === 'ready' && z.pid !== null && need(z));
  const calm = ok.filter((z) => !recovering.get(z.zone));
  const pool = calm.length ? calm : ok;
  return pool.length ? R.pick(pool) : null;
}

function isOurWorker(pid) {
  const s = procStat(pid);
  return alive(s) && s.ppid === sup.pid && isNodeComm(s.comm) ? s : null;
}

function isOurMpv(pid, workerPid) {
  const s = procStat(pid);
  return alive(s) && s.comm === 'mpv' && s.ppid === workerPid ? s : null;
}

function hold(pid, starttime, ms) {
  const p = sleep(ms).then(() => {
    if (sameProcess(pid, starttime)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
  });
  pendingHolds.add(p);
  p.finally(() => pendingHolds.delete(p));
  return p;
}

const mpvRole = (z, pred) => {
  const ms = z.mpv_processes.filter((m) => m.alive && m.pid && pred(m.role));
  return ms.length ? R.pick(ms) : null;
};

const FAULTS = {
  async kill_worker() {
    const z = await pickZone();
    const s = z && isOurWorker(z.pid);
    if (!s) return false;
    const t0 = performance.now();
    process.kill(z.pid, 'SIGKILL');
    say(`kill -9 worker ${z.zone} (${z.pid})`);
    track('kill_worker', [z.zone], t0, { oldWorker: z.pid });
    return true;
  },
  async kill_mpv_background() {
    return killMpv('kill_mpv_background', (r) => r === 'background');
  },
  async kill_mpv_speech() {
    return killMpv('kill_mpv_speech', (r) => r === 'speech');
  },
  async kill_mpv_effect() {
    return killMpv('kill_mpv_effect', (r) => r.startsWith('effect-'));
  },
  async stop_worker() {
    const z = await pickZone();
    const s = z && isOurWorker(z.pid);
    if (!s) return false;
    const ms = R.int(1000, 5000);
    const t0 = performance.now();
    process.kill(z.pid, 'SIGSTOP');
    say(`SIGSTOP worker ${z.zone} (${z.pid}) for ${ms} ms`);
    void hold(z.pid, s.starttime, ms);
    track('stop_worker', [z.zone], t0, { stopped: z.pid, stoppedStart: s.starttime });
    return true;
  },
  async stop_mpv() {
    const z = await pickZone((zz) => zz.mpv_processes.some((m) => m.alive));
    const m = z && mpvRole(z, () => true);
    const s = m && isOurMpv(m.pid, z.pid);
    if (!s) return false;
    const ms = R.int(1000, 5000);
    const t0 = performance.now();
    process.kill(m.pid, 'SIGSTOP');
    say(`SIGSTOP mpv ${z.zone}/${m.role} (${m.pid}) for ${ms} ms`);
    void hold(m.pid, s.starttime, ms);
    track('stop_mpv', [z.zone], t0, { stopped: m.pid, stoppedStart: s.starttime, role: m.role });
    return true;
  },
  async broker_restart() {
    if (brokerBusy) return false;
    brokerBusy = true;
    const down = R.int(300, 3000);
    const t0 = performance.now();
    lastBrokerFaultAt = t0;
    say(`broker SIGKILL, down for ${down} ms`);
    const p = (async () => {
      try {
        await broker.kill('SIGKILL');
        await sleep(down);
        await broker.start();
      } finally {
        brokerBusy = false;
      }
    })();
    pendingHolds.add(p);
    p.finally(() => pendingHolds.delete(p));
    track('broker_restart', ZONES, t0);
    return true;
  },
  async command_burst() {
    const n = R.int(10, 40);
    const t0 = performance.now();
    const waits = [];
    for (let i = 0; i < n; i++) {
      const { target, body, expect } = randomCommand();
      waits.push(send(target, body, { waitMs: 30_000, expect }));
    }
    say(`command burst of ${n}`);
    bursts.count++;
    bursts.commands += n;
    const p = Promise.all(waits).then((rs) => {
      if (rs.every((r) => r !== null)) bursts.last_outcome_ms.push(performance.now() - t0);
    });
    trackers.add(p);
    p.finally(() => trackers.delete(p));
    return true;
  },
  async zone_restart() {
    const z = await pickZone();
    if (!z) return false;
    const t0 = performance.now();
    restartTimes.set(z.zone, []);
    say(`restart command ${z.zone}`);
    // Tracked once the outcome says the restart ran, as a reset is: a zone restarted twice in a row
    // (picked again while its first restart waited on a stopped worker) has both trackers satisfied by
    // the first new worker, and the second restart's silent worker then failed every other tracker.
    const p = send(
      z.zone,
      { command: 'restart', reason: 'chaos' },
      { waitMs: 20_000, expect: ['success', 'warning'] },
    ).then(() => track('zone_restart', [z.zone], t0, { oldWorker: z.pid, replay: true }));
    trackers.add(p);
    p.finally(() => trackers.delete(p));
    return true;
  },
  async zone_reset() {
    const z = await pickZone();
    if (!z) return false;
    const level = R.pick(['soft', 'hard']);
    const t0 = performance.now();
    restartTimes.set(z.zone, []);
    say(`reset (${level}) command ${z.zone}`);
    // Resets run one at a time (the reset coordinator answers failed/busy to a second one): the
    // recovery is tracked once the outcome says the reset ran.
    const p = send(z.zone, { command: 'reset', level }, { waitMs: 60_000 }).then(async (r) => {
      count(resetOutcomes, r ? `${r.outcome}${r.error_type ? `/${r.error_type}` : ''}` : 'no outcome');
      if (r?.outcome === 'failed' && r.error_type === 'busy') return;
      await track('zone_reset', [z.zone], t0, { oldWorker: z.pid, replay: true });
    });
    trackers.add(p);
    p.finally(() => trackers.delete(p));
    return true;
  },
};

async function killMpv(kind, pred) {
  const z = await pickZone((zz) => zz.mpv_processes.some((m) => m.alive && pred(m.role)));
  const m = z && mpvRole(z, pred);
  if (!m || !isOurMpv(m.pid, z.pid)) return false;
  const t0 = performance.now();
  process.kill(m.pid, 'SIGKILL');
  say(`kill -9 mpv ${z.zone}/${m.role} (${m.pid})`);
  track(kind, [z.zone], t0, { role: m.role, oldMpv: m.pid });
  return true;
}

const FAULT_WEIGHTS = [
  ['kill_worker', 3],
  ['kill_mpv_background', 2],
  ['kill_mpv_speech', 1.5],
  ['kill_mpv_effect', 1.5],
  ['stop_worker', 2],
  ['stop_mpv', 2],
  ['broker_restart', 1],
  ['command_burst', 3],
  ['zone_restart', 1],
  ['zone_reset', 1],
];

// Commands of a burst: valid ones (any outcome, exactly one) and invalid ones (must be `invalid`).
// Nothing here stops or pauses the background music: recovery is measured by it advancing.
function randomCommand() {
  const zone = R.pick(ZONES);
  if (R.chance(0.1)) {
    const sys = [
      [{ command: 'status' }, null],
      [{ command: 'metrics' }, null],
      [{ command: 'help' }, null],
      [{ command: 'health_check' }, null],
      [{ command: 'noSuchCommand' }, 'invalid'],
      [{ command: 'reboot' }, 'invalid'],
      [{ command: 'reset', zones: ['no-such-zone'] }, 'invalid'],
      [{ command: 'system_reset', type: 'everything' }, 'invalid'],
    ];
    const [body, expect] = R.pick(sys);
    return { target: 'system', body, expect };
  }
  const valid = [
    { command: 'getState' },
    { Command: 'getStatus' },
    { command: 'status' },
    { command: 'health_check' },
    { command: 'setVolume', volume: R.int(60, 100) },
    { command: 'setBackgroundMusicVolume', volume: R.int(50, 100) },
    { command: 'playSoundEffect', file: 'chime.wav' },
    { command: 'playAudioFX', Audio: 'chime.wav' },
    { command: 'playSpeech', file: 'speech-1.wav' },
    { command: 'duck', duck_id: 'chaos', amount: -20 },
    { command: 'unduck' },
    { command: 'getMpvProperty', role: 'background', property: 'volume' },
    { command: 'speechQueue' },
    { command: 'getConfig' },
    { command: 'stopAllEffects' },
  ];
  const invalid = [
    { command: 'noSuchCommand' },
    { command: 'setVolume', volume: 999 },
    { command: 'setVolume', volume: 'loud' },
    { command: 'playBackground', file: '../../../etc/passwd' },
    { command: 'playSoundEffect' },
    { command: 'getMpvProperty', role: 'background', property: 'filename' },
    { command: 'duck', amount: 50 },
    { command: 'playVideo', file: 'x.mp4' },
  ];
  if (R.chance(0.35)) return { target: zone, body: R.pick(invalid), expect: 'invalid' };
  return { target: zone, body: R.pick(valid), expect: null };
}

// ------------------------------------------------------------------------------------ invariants

const firstSeen = new Map();
/** True once a condition keyed by `key` has held for longer than graceMs (continuously observed). */
function persists(key, graceMs, now) {
  if (!firstSeen.has(key)) firstSeen.set(key, now);
  return now - firstSeen.get(key) > graceMs;
}
const oursCache = new Map(); // `${pid}:${starttime}` -> boolean
function mpvIsOurs(s) {
  const key = `${s.pid}:${s.starttime}`;
  if (!oursCache.has(key)) {
    const mine = processesMentioning(marker, [s]).length > 0;
    oursCache.set(key, mine);
  }
  return oursCache.get(key);
}

let tick = 0;
let monitorBusy = false;
async function monitor({ strict = false } = {}) {
  if (monitorBusy) return;
  monitorBusy = true;
  try {
    const now = performance.now();
    const seen = new Set();
    const mark = (key, grace) => {
      seen.add(key);
      return strict ? true : persists(key, grace, now);
    };
    if (!sup.running()) {
      violate('supervisor_died', { code: sup.child.exitCode, signal: sup.child.signalCode }, 'sup');
      return;
    }
    const all = allStats();
    const desc = descendantStats(sup.pid, all);
    const workers = desc.filter((s) => s.ppid === sup.pid && isNodeComm(s.comm));
    const workerPids = new Set(workers.map((s) => s.pid));
    const treeMpv = desc.filter((s) => s.comm === 'mpv');
    // 1. No orphan: every mpv of this run has a live worker of ours as its parent.
    for (const s of all) {
      if (s.comm !== 'mpv' || !alive(s) || !mpvIsOurs(s)) continue;
      if (!workerPids.has(s.ppid) && mark(`orphan:${s.pid}:${s.starttime}`, 3000)) {
        violate(
          'orphan_mpv',
          { pid: s.pid, ppid: s.ppid, parent: procStat(s.ppid)?.comm ?? null },
          `${s.pid}:${s.starttime}`,
        );
      }
    }
    // 2. Ledger: every worker and mpv under the supervisor is recorded (pid + starttime); every
    // recorded process is alive and under the supervisor.
    const ledger = readLedger(sup.ledgerFile);
    if (ledger) {
      const keys = new Set(ledger.processes.map((p) => `${p.pid}:${p.starttime}`));
      const treeKeys = new Set([...workers, ...treeMpv].map((s) => `${s.pid}:${s.starttime}`));
      for (const s of [...workers, ...treeMpv]) {
        const key = `${s.pid}:${s.starttime}`;
        if (!keys.has(key) && mark(`unrecorded:${key}`, 5000))
          violate('process_not_in_ledger', { pid: s.pid, comm: s.comm, ppid: s.ppid }, key);
      }
      for (const e of ledger.processes) {
        const key = `${e.pid}:${e.starttime}`;
        if (!sameProcess(e.pid, e.starttime)) {
          if (mark(`stale:${key}`, 15_000))
            violate('stale_ledger_entry', { pid: e.pid, role: e.role, zone: e.zone, instance: e.instance }, key);
        } else if (!treeKeys.has(key) && mark(`outside:${key}`, 5000)) {
          violate(
            'ledger_process_outside_tree',
            { pid: e.pid, role: e.role, zone: e.zone, ppid: procStat(e.pid)?.ppid },
            key,
          );
        }
      }
    }
    // 3. No stale socket of ours in the run dir (a socket file nobody listens on).
    if (strict || tick % 5 === 0) {
      for (const name of safeReaddir(sup.runDir)) {
        const path = join(sup.runDir, name);
        let isSock = false;
        try {
          isSock = lstatSync(path).isSocket();
        } catch {
          continue;
        }
        if (!isSock) continue;
        const r = await probeSocket(path);
        if (r === 'refused' && mark(`socket:${path}`, 3000)) violate('stale_socket', { path }, path);
      }
    }
    // Forget conditions that no longer hold, so only continuous ones count.
    if (!strict) for (const k of firstSeen.keys()) if (!seen.has(k)) firstSeen.delete(k);
    // 4. Supervisor RSS.
    const kb = rssKb(sup.pid);
    if (kb !== null) rss.push({ t: now, kb });
    // 5. Failed zones: check against the policy, then revive.
    if (!strict) {
      const st = await zoneStatus();
      for (const z of st?.values() ?? []) if (z.state === 'failed' && !reviving.has(z.zone)) void revive(z.zone);
    }
  } finally {
    tick++;
    monitorBusy = false;
  }
}

function safeReaddir(d) {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** A zone went `failed`: was it per the policy (more than max_restarts within the window)? Then revive it. */
async function revive(zone) {
  reviving.add(zone);
  try {
    const now = performance.now();
    const recent = restartTimes.get(zone).filter((t) => now - t < POLICY.restart_window_ms + 5000);
    if (recent.length >= POLICY.max_restarts) policy.failed_legit++;
    else if (now - lastBrokerFaultAt < POLICY.restart_window_ms) {
      // Lifecycle events published while the broker died can be lost: the count cannot be trusted.
      policy.failed_unverified++;
    } else
      violate('failed_too_early', { zone, restarts_seen_in_window: recent.length, max_restarts: POLICY.max_restarts });
    say(`zone ${zone} failed after ${recent.length} restarts in the window; reviving with a restart command`);
    const t0 = performance.now();
    restartTimes.set(zone, []);
    policy.revivals++;
    const r = await send(
      zone,
      { command: 'restart', reason: 'chaos revive after failed' },
      { waitMs: 20_000, expect: ['success', 'warning'] },
    );
    if (r?.outcome !== 'success') say(`revive of ${zone}: ${r?.outcome ?? 'no outcome yet'}`);
    await track('revive', [zone], t0, { replay: true });
  } finally {
    reviving.delete(zone);
  }
}

function onLifecycle(topic, m) {
  if (m?.type !== 'zone_lifecycle' || topic !== `${base}/${m.zone}/events`) return;
  const key = `${m.zone}|${m.event}|${m.timestamp}`;
  if (seenLifecycle.has(key)) return;
  seenLifecycle.add(key);
  const times = restartTimes.get(m.zone);
  if (!times) return;
  if (m.event === 'restart_requested' || m.event === 'auto_reset') restartTimes.set(m.zone, []);
  else if (m.event === 'restarting') {
    times.push(performance.now());
    const now = performance.now();
    const inWindow = times.filter((t) => now - t < POLICY.restart_window_ms - 5000).length;
    if (inWindow > POLICY.max_restarts)
      violate(
        'policy_exceeded',
        { zone: m.zone, restarts_in_window: inWindow, max_restarts: POLICY.max_restarts },
        `${m.zone}:${times.length}`,
      );
  }
}

// ------------------------------------------------------------------------------------ the run

let monitorTimer = null;
const report = {
  kind: 'chaos',
  seed: SEED,
  params: {
    minutes: MINUTES,
    zones: ZONES.length,
    faults_per_minute: FPM,
    policy: POLICY,
    recovery_deadline_s: RECOVERY_DEADLINE_MS / 1000,
  },
  machine: machine(),
};
try {
  cmd = await Commander.connect(broker.url, base);
  cmd.listeners.add(onLifecycle);
  say(`seed ${SEED}; ${ZONES.length} zones, ${MINUTES} min, ${FPM} faults/min; dir ${dir.path}`);
  // All zones ready, then background music in every zone.
  const readyBy = performance.now() + 60_000;
  for (;;) {
    const st = await zoneStatus();
    if (st && ZONES.every((z) => st.get(z)?.state === 'ready')) break;
    if (performance.now() > readyBy)
      throw new Error(
        `zones not ready within 60 s: ${JSON.stringify(st && [...st.values()].map((z) => [z.zone, z.state]))}`,
      );
    await sleep(200);
  }
  await Promise.all(
    ZONES.map((z, i) =>
      send(z, { command: 'playBackground', file: TRACKS[i % TRACKS.length], loop: true }, { expect: 'success' }),
    ),
  );
  await Promise.all(ZONES.map((z) => track('initial', [z], performance.now())));
  recoveries.length = 0;
  if (violations.length) throw new Error('the zones did not start playing');
  say('all zones playing; faults start');
  monitorTimer = setInterval(() => void monitor(), 1000);
  const rssStart = rssKb(sup.pid);

  // Faults at a steady rate.
  const interval = 60_000 / FPM;
  const end = performance.now() + MINUTES * 60_000;
  let n = 0;
  const faultStart = performance.now();
  while (performance.now() < end) {
    const due = faultStart + n * interval;
    if (due > performance.now()) await sleep(due - performance.now());
    if (performance.now() >= end) break;
    n++;
    let kind = R.weighted(FAULT_WEIGHTS);
    let ok = await FAULTS[kind]().catch((err) => {
      say(`fault ${kind} failed to inject: ${err.message}`);
      return false;
    });
    if (!ok) {
      // No suitable target right now (every zone restarting, broker already down...): a burst instead.
      count(skipped, kind);
      kind = 'command_burst';
      ok = await FAULTS.command_burst();
    }
    if (ok) count(faults, kind);
  }
  const faultSeconds = (performance.now() - faultStart) / 1000;
  say(
    `fault phase over: ${Object.values(faults).reduce((a, b) => a + b, 0)} faults in ${faultSeconds.toFixed(0)} s; settling`,
  );

  // Settle: holds released, broker up, recoveries and revivals finished.
  await Promise.all([...pendingHolds]);
  while (trackers.size > 0 || reviving.size > 0) await Promise.race([...trackers, sleep(500)]);
  // Every zone ready and playing (a zone may still be `failed`: revive it).
  for (let round = 0; round < 3; round++) {
    const st = await zoneStatus();
    const failed = ZONES.filter((z) => st?.get(z)?.state === 'failed');
    if (!failed.length) break;
    await Promise.all(failed.map((z) => revive(z)));
  }
  const finalRecovery = await Promise.all(ZONES.map((z) => recoverZone(z, {}, performance.now() + 60_000)));
  for (const [i, z] of ZONES.entries())
    if (typeof finalRecovery[i] !== 'number')
      violate('final_not_playing', { zone: z, last_problem: finalRecovery[i].timeout });
  clearInterval(monitorTimer);
  while (monitorBusy) await sleep(50);

  // Final invariants: the grace windows run out with nothing new happening.
  for (let i = 0; i < 8; i++) {
    await monitor();
    await sleep(1000);
  }
  const before = violations.length;
  await monitor({ strict: true });
  if (violations.length > before) say('strict final check found problems (above)');
  const ledgerFinal = readLedger(sup.ledgerFile);
  const treeFinal = descendantStats(sup.pid).filter(
    (s) => s.comm === 'mpv' || (s.ppid === sup.pid && isNodeComm(s.comm)),
  );

  // Every command answered by exactly one distinct outcome.
  const unanswered = await cmd.drain(60_000);
  const v = cmd.verify();
  for (const p of v.problems.slice(0, 50)) violate(`command_${p.kind}`, p);
  if (v.problems.length > 50) violate('command_problems_truncated', { more: v.problems.length - 50 });

  // Supervisor memory.
  const rssEnd = rssKb(sup.pid);
  const rssMax = Math.max(...rss.map((s) => s.kb), rssEnd ?? 0);
  const growthMb = ((rssEnd ?? 0) - rssStart) / 1024;
  if (growthMb > RSS_LIMIT_MB)
    violate('rss_growth', { start_mb: rssStart / 1024, end_mb: rssEnd / 1024, limit_mb: RSS_LIMIT_MB });

  // Graceful stop, then nothing of the run may be left.
  const stopT0 = performance.now();
  const exit = await sup.terminate(40_000);
  const stopMs = performance.now() - stopT0;
  if (exit.forced || exit.code !== 0)
    violate('unclean_shutdown', { code: exit.code, signal: exit.signal, forced: exit.forced });
  let left = [];
  for (let i = 0; i < 20; i++) {
    left = processesMentioning(marker).filter((s) => s.pid !== broker.pid());
    if (!left.length) break;
    await sleep(250);
  }
  if (left.length) {
    violate('left_alive_after_stop', { processes: left.map((s) => ({ pid: s.pid, comm: s.comm, ppid: s.ppid })) });
    for (const s of left) {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  const socketsLeft = safeReaddir(sup.runDir).filter((n) => {
    try {
      return lstatSync(join(sup.runDir, n)).isSocket();
    } catch {
      return false;
    }
  });
  if (socketsLeft.length) violate('sockets_left_after_stop', { files: socketsLeft });
  const ledgerAfter = readLedger(sup.ledgerFile);
  const liveInLedger = (ledgerAfter?.processes ?? []).filter((e) => sameProcess(e.pid, e.starttime));
  if (liveInLedger.length) violate('ledger_lists_live_process_after_stop', { entries: liveInLedger });

  const byKind = {};
  for (const r of recoveries) {
    byKind[r.kind] ??= [];
    byKind[r.kind].push(r.ms);
  }
  const totalFaults = Object.values(faults).reduce((a, b) => a + b, 0);
  Object.assign(report, {
    duration_s: Math.round((performance.now() - T0) / 1000),
    fault_phase_s: Math.round(faultSeconds),
    faults_total: totalFaults,
    faults,
    faults_replaced_by_burst: skipped,
    recoveries: recoveries.length,
    recovery_ms: stats(recoveries.map((r) => r.ms)),
    recovery_ms_by_kind: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, stats(xs)])),
    policy,
    zone_reset_outcomes: resetOutcomes,
    bursts: { count: bursts.count, commands: bursts.commands, last_outcome_ms: stats(bursts.last_outcome_ms) },
    commands: {
      sent: v.commands,
      outcomes_received: v.answers,
      answered_more_than_once: v.answered_more_than_once,
      resent_by_client: v.resends,
      unanswered_at_end: unanswered,
    },
    supervisor_rss_mb: {
      start: +(rssStart / 1024).toFixed(1),
      end: +((rssEnd ?? 0) / 1024).toFixed(1),
      max: +(rssMax / 1024).toFixed(1),
      growth: +growthMb.toFixed(1),
      limit_growth: RSS_LIMIT_MB,
    },
    final: {
      ledger_processes_before_stop: ledgerFinal?.processes.length ?? null,
      tree_processes_before_stop: treeFinal.length,
      shutdown: { code: exit.code, signal: exit.signal, ms: Math.round(stopMs) },
      ledger_processes_after_stop: ledgerAfter?.processes.length ?? null,
    },
    violations_count: violations.length,
    violations,
  });
} catch (err) {
  violate('harness_error', { message: err.message, stack: err.stack });
  Object.assign(report, { violations_count: violations.length, violations });
} finally {
  clearInterval(monitorTimer);
  await cmd?.close();
  if (sup.running()) await sup.terminate(10_000);
  for (const s of processesMentioning(marker)) {
    if (s.pid === broker.pid()) continue;
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await broker.stop();
}

exitCode = violations.length ? 1 : 0;
writeFileSync(REPORT, JSON.stringify(report, null, 2) + '\n');
if (violations.length || flags.keep) {
  try {
    copyFileSync(sup.logFile, REPORT.replace(/\.json$/, '') + '.supervisor.log');
  } catch {
    /* no log */
  }
}
if (!flags.keep) dir.remove();

const r = report;
console.log('\n== chaos soak report ==');
console.log(
  `seed ${r.seed}, ${r.params.zones} zones, ${r.params.minutes} min at ${r.params.faults_per_minute} faults/min; ${r.machine.nproc} cores, node ${r.machine.node}`,
);
if (r.faults) {
  console.log(`faults: ${r.faults_total} ${JSON.stringify(r.faults)}`);
  console.log(
    `recoveries: ${r.recoveries}, fault -> ready and playing: p50 ${r.recovery_ms.p50} ms, p95 ${r.recovery_ms.p95} ms, max ${r.recovery_ms.max} ms`,
  );
  for (const [k, s] of Object.entries(r.recovery_ms_by_kind))
    console.log(`  ${k.padEnd(20)} n=${s.n} p50 ${s.p50} p95 ${s.p95} max ${s.max} ms`);
  console.log(`policy: ${JSON.stringify(r.policy)}`);
  console.log(`commands: ${JSON.stringify(r.commands)}`);
  console.log(`supervisor RSS MB: ${JSON.stringify(r.supervisor_rss_mb)}`);
  console.log(`final: ${JSON.stringify(r.final)}`);
}
console.log(`violations: ${violations.length}`);
for (const v of violations.slice(0, 20)) console.log(`  ${JSON.stringify(v)}`);
console.log(`report: ${REPORT}`);
process.exit(exitCode);
