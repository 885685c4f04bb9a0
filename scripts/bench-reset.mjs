#!/usr/bin/env node
// Reset benchmark, measured on the sink: a soft zone reset with preserve_state -> music heard again, and
// kill -9 of the zone's worker -> music heard again, each over N rounds. The zone plays a looping tone to
// a null sink of a private PulseAudio; ONE parec recorder runs on the sink's monitor for the whole bench
// and every 10 ms frame's RMS is timed from its arrival (a fresh recorder per round would take 1-2 s to
// start). Uses the built dist/ (run `npx tsc -b` first).
//   node scripts/bench-reset.mjs [--rounds 20] [--spares 1] [--effects 2] [--guarded] [--json]
// The zone is isolated, as a zone on a pulse device is by default (its own null sink, bridged to the
// recorded sink by a 60 ms loopback); --guarded: isolate_output = false, mpv straight on the sink.
// "Heard again" = the first frame of sound after the first silent frame that follows the command (or
// the kill); position = how far the resumed music is from where it stopped, from mpv's time-pos. A round
// whose sink never fell silent for a 10 ms frame (the old stream's last buffer still playing when the new
// one started) has no gap to time: it is counted as gapless and left out of the percentiles.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureDemoMedia } from '../packages/config/dist/index.js';
import {
  MqttProbe,
  sleep,
  startMosquitto,
  startPulse,
  startSupervisor,
  tempDir,
} from '../packages/testkit/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROUNDS = Number(arg('rounds', '20'));
const SPARES = Number(arg('spares', '1'));
const EFFECTS = Number(arg('effects', '2'));
const asJson = process.argv.includes('--json');
const GUARDED = process.argv.includes('--guarded');
const now = () => performance.now();
const RATE = 8000;
const FRAME = RATE / 100; // 10 ms
const LOUD = 0.01;

function stats(xs) {
  if (xs.length === 0) return { n: 0, p50: NaN, p95: NaN, min: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  const r = (v) => Math.round(v * 1000) / 1000;
  return { n: s.length, p50: r(q(50)), p95: r(q(95)), min: r(s[0]), max: r(s.at(-1)) };
}

/** One continuous parec on the sink's monitor; frames of 10 ms with the time each ended. */
function recorder(env, sink) {
  const child = spawn(
    'parec',
    [`--device=${sink}.monitor`, '--format=s16le', `--rate=${RATE}`, '--channels=1', '--latency-msec=10', '--raw'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const frames = [];
  let rest = Buffer.alloc(0);
  child.stdout.on('data', (d) => {
    const at = now();
    const buf = Buffer.concat([rest, d]);
    const n = Math.floor(buf.length / (FRAME * 2));
    for (let f = 0; f < n; f++) {
      let sum = 0;
      for (let i = 0; i < FRAME; i++) {
        const v = buf.readInt16LE((f * FRAME + i) * 2) / 32768;
        sum += v * v;
      }
      // The last frame of this read ended at its arrival; each earlier one 10 ms before the next.
      frames.push({ end: at - (n - 1 - f) * 10, rms: Math.sqrt(sum / FRAME) });
    }
    rest = buf.subarray(n * FRAME * 2);
    if (frames.length > 200_000) frames.splice(0, 100_000);
  });
  return { frames, stop: () => child.kill('SIGTERM') };
}

/** No silent frame this long after t0 while the sink keeps sounding: the music never stopped. */
const GAPLESS_MS = 3000;

/** From t0: the first silent frame, then the first of 3 loud frames in a row after it; or gapless. */
async function heardAgain(frames, t0, timeoutMs = 10_000) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const after = frames.filter((f) => f.end >= t0);
    const quiet = after.findIndex((f) => f.rms < LOUD);
    if (quiet < 0 && after.length > 0 && after.at(-1).end - t0 > GAPLESS_MS) return { gapless: true };
    if (quiet >= 0) {
      for (let i = quiet + 1; i + 2 < after.length; i++) {
        if (after[i].rms >= LOUD && after[i + 1].rms >= LOUD && after[i + 2].rms >= LOUD) {
          return { silentFrom: after[quiet].end - 10, heard: after[i].end - 10 };
        }
      }
    }
    if (now() > deadline) throw new Error('music not heard again within 10 s');
    await sleep(20);
  }
}

const tmp = tempDir('mpvbr');
let exitCode = 0;
try {
  const dir = tmp.path;
  const media = join(dir, 'media');
  mkdirSync(media, { recursive: true });
  await ensureDemoMedia(media);
  const pulse = await startPulse({ dir, sinks: ['zone1'] });
  const broker = await startMosquitto({ dir });
  const probe = await MqttProbe.connect(broker.url);
  const base = 'benchr';
  await probe.subscribe(`${base}/#`);
  const ini = [
    '[mqtt]',
    'broker = 127.0.0.1',
    `port = ${broker.port}`,
    `base_topic = ${base}`,
    'device_name = bench',
    `client_id = benchr-${process.pid}`,
    '[global]',
    'log_level = warn',
    `media_base_path = ${media}`,
    'heartbeat_enabled = false',
    '[system:main]',
    `warm_spares = ${SPARES}`,
    'max_restarts = 1000',
    'restart_window_ms = 60000',
    'stable_after_ms = 500',
    'heartbeat_timeout_ms = 5000',
    'startup_timeout_ms = 30000',
    '[audio:zone1]',
    `topic = ${base}/zone1`,
    'media_dir = .',
    'audio_device = pulse/zone1',
    ...(GUARDED ? ['isolate_output = false'] : []),
    `effects_pool_size = ${EFFECTS}`,
  ].join('\n');
  const sup = startSupervisor({ dir, config: ini, env: pulse.env });
  const rec = recorder(pulse.env, 'zone1');
  const cmd = (body, t = 15_000) => probe.command(`${base}/zone1/commands`, `${base}/zone1/events`, body, t);
  const sys = (body) => probe.command(`${base}/system/commands`, `${base}/system/events`, body, 10_000);
  const timePos = async () => {
    const sent = now();
    const r = (await cmd({ command: 'getMpvProperty', role: 'background', property: 'time-pos' })).result;
    return { at: (sent + now()) / 2, value: r.value, pid: r.pid };
  };
  const spareReady = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const spares = (await sys({ command: 'status' })).result.spares ?? [];
      if (spares.some((s) => s.state === 'ready')) return;
      await sleep(50);
    }
    throw new Error('no warm spare ready within 60 s');
  };
  const results = {
    reset: { heard: [], gap: [], position: [], via: {}, gapless: 0 },
    kill: { heard: [], gap: [], position: [], via: {}, gapless: 0 },
    steps: {},
  };
  /** One round: `act` starts the fault or the reset at t0; then heard-again, gap and position drift. */
  const round = async (kind, act) => {
    await sleep(800);
    if (SPARES > 0) await spareReady();
    const st = (await cmd({ command: 'status' })).result;
    if (st.background?.status !== 'playing') throw new Error(`zone1 not playing before round ${kind}`);
    const before = await timePos();
    const since = Date.now();
    const t0 = now();
    const done = act(st.pid);
    const { silentFrom, heard, gapless } = await heardAgain(rec.frames, t0);
    await done;
    const back = await probe.waitFor(
      `${base}/zone1/events`,
      (m) => m.json?.type === 'zone_lifecycle' && (m.json?.event === 'restarted' || m.json?.event === 'started'),
      10_000,
      since,
    );
    const via = back.json.via ?? 'cold';
    results[kind].via[via] = (results[kind].via[via] ?? 0) + 1;
    if (gapless) {
      results[kind].gapless++;
      return;
    }
    await sleep(300);
    const after = await timePos();
    // Where the music stopped (the position read before, moved on to the silence), against where the
    // resumed music is now (moved back by how long it has played since it was heard again).
    const stoppedAt = before.value + (silentFrom - before.at) / 1000;
    const resumedAt = after.value - (after.at - heard) / 1000;
    // Where a reset's time goes, from what the supervisor published (probe arrival, ms after t0).
    if (kind === 'reset') {
      const offset = Date.now() - now();
      const at = (pred) => probe.messages.find((m) => m.at >= since && pred(m))?.at;
      const mark = (name, v) => v !== undefined && (results.steps[name] ??= []).push(v - offset - t0);
      for (const phase of ['cleanup', 'reinit', 'complete'])
        mark(
          `phase ${phase}`,
          at((m) => m.json?.type === 'system_reset_status' && m.json?.phase === phase),
        );
      mark(
        'zone back (lifecycle)',
        at((m) => m.json?.type === 'zone_lifecycle' && (m.json?.event === 'restarted' || m.json?.event === 'started')),
      );
      mark(
        'background resumed event',
        at((m) => m.json?.type === 'background' && m.json?.state === 'resumed'),
      );
      (results.steps['music stopped on the sink'] ??= []).push(silentFrom - t0);
    }
    results[kind].heard.push(heard - t0);
    results[kind].gap.push(heard - silentFrom);
    // The demo tone loops every 10 s: the distance on that loop.
    results[kind].position.push(Math.abs(((((resumedAt - stoppedAt) % 10) + 15) % 10) - 5));
  };
  try {
    await probe.waitFor(`${base}/zone1/state`, (m) => m.json?.state === 'ready', 120_000);
    await cmd({ command: 'playBackground', file: 'tone-220.wav', loop: true });
    await heardAgain(rec.frames, 0).catch(() => null);
    for (let i = 0; i < ROUNDS; i++) {
      await round('reset', async () => {
        const r = await cmd({ command: 'reset', level: 'soft', preserve_state: true }, 30_000);
        if (r.outcome !== 'success') throw new Error(`reset: ${r.outcome} ${r.message}`);
      });
    }
    for (let i = 0; i < ROUNDS; i++) {
      await round('kill', async (workerPid) => process.kill(workerPid, 'SIGKILL'));
    }
  } catch (err) {
    console.error(sup.output().split('\n').slice(-30).join('\n'));
    throw err;
  } finally {
    rec.stop();
    await sup.stop();
    await probe.close();
    await broker.stop();
    await pulse.stop();
  }
  const out = {
    date: new Date().toISOString(),
    cores: cpus().length,
    load: loadavg().map((l) => +l.toFixed(1)),
    node: process.version,
    rounds: ROUNDS,
    warm_spares: SPARES,
    effects_pool_size: EFFECTS,
    reset_via: results.reset.via,
    kill_via: results.kill.via,
    reset_gapless: results.reset.gapless,
    kill_gapless: results.kill.gapless,
    reset_heard_ms: stats(results.reset.heard),
    reset_gap_ms: stats(results.reset.gap),
    reset_position_s: stats(results.reset.position),
    kill_heard_ms: stats(results.kill.heard),
    kill_gap_ms: stats(results.kill.gap),
    kill_position_s: stats(results.kill.position),
    reset_steps_ms: Object.fromEntries(Object.entries(results.steps).map(([k, v]) => [k, stats(v)])),
    targets: { heard_p50: '<= 150 ms', position: '<= 0.1 s' },
  };
  if (asJson) console.log(JSON.stringify(out, null, 2));
  else {
    const row = (name, s, unit) =>
      `${name.padEnd(52)} n=${s.n}  p50=${s.p50} ${unit}  p95=${s.p95} ${unit}  min=${s.min}  max=${s.max}`;
    console.log(
      `resets on the sink, ${ROUNDS} rounds each, ${out.cores} cores, load ${out.load.join(' ')}, node ${out.node}, warm_spares = ${SPARES}, effects_pool_size = ${EFFECTS}, zone ${GUARDED ? 'guarded' : 'isolated'}`,
    );
    console.log(`reset via ${JSON.stringify(out.reset_via)}, kill via ${JSON.stringify(out.kill_via)}`);
    console.log(
      `gapless rounds (no silent frame, left out below): reset ${out.reset_gapless}, kill ${out.kill_gapless}`,
    );
    console.log(row('soft zone reset, preserve_state -> music heard', out.reset_heard_ms, 'ms'));
    console.log(row('  silence on the sink', out.reset_gap_ms, 'ms'));
    console.log(row('  position drift', out.reset_position_s, 's'));
    for (const [k, v] of Object.entries(out.reset_steps_ms)) console.log(row(`  reset: ${k}`, v, 'ms'));
    console.log(row('kill -9 worker -> music heard', out.kill_heard_ms, 'ms'));
    console.log(row('  silence on the sink', out.kill_gap_ms, 'ms'));
    console.log(row('  position drift', out.kill_position_s, 's'));
  }
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  tmp.remove();
}
process.exit(exitCode);
