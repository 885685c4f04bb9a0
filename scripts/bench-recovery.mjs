#!/usr/bin/env node
// Zone recovery benchmark: kill -9 of a zone worker -> zone ready again -> background music playing
// again (mpv time-pos advancing), over N kills; side by side, PM2 restarting a trivial crashed child
// (kill -9 -> the replacement reports it is up). Uses the built dist/ (run `npx tsc -b` first).
//   node scripts/bench-recovery.mjs [--kills 30] [--spares 1] [--screen [--no-image]] [--audio-options OPTS] [--no-pm2] [--json]
// With --spares N > 0 (warm_spares), each round first waits until a warm spare is ready, so every kill
// measures the warm-standby path; --spares 0 measures the cold respawn. --screen makes the zone a screen
// zone (video mpv on the null output, a default image shown, unless --no-image); --audio-options gives the zone
// mpv_audio_options (e.g. "--audio-buffer=0.2"): both are zones with a spare kind of their own.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDemoMedia } from '../packages/config/dist/index.js';
import { MqttProbe, sleep, startMosquitto, startSupervisor, tempDir } from '../packages/testkit/dist/index.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const KILLS = Number(arg('kills', '30'));
const asJson = process.argv.includes('--json');
const SPARES = Number(arg('spares', '1'));
const withPm2 = !process.argv.includes('--no-pm2');
const SCREEN = process.argv.includes('--screen');
const IMAGE = SCREEN && !process.argv.includes('--no-image');
const AUDIO_OPTIONS = arg('audio-options', '');
const zoneKind = `${SCREEN ? `screen${IMAGE ? ' (default image)' : ' (no default image)'}` : 'audio'}${AUDIO_OPTIONS ? ` (mpv_audio_options = ${AUDIO_OPTIONS})` : ''}`;
const now = () => performance.now();

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  return {
    n: s.length,
    p50: Math.round(q(50)),
    p95: Math.round(q(95)),
    min: Math.round(s[0]),
    max: Math.round(s.at(-1)),
  };
}

async function benchMpvisor(dir) {
  const media = join(dir, 'media');
  mkdirSync(media, { recursive: true });
  await ensureDemoMedia(media);
  if (SCREEN)
    execFileSync(process.execPath, [join(repo, 'scripts', 'make-demo-media.mjs'), media], {
      stdio: 'ignore',
      timeout: 60_000,
    });
  const broker = await startMosquitto({ dir });
  const probe = await MqttProbe.connect(broker.url);
  const base = 'bench';
  await probe.subscribe(`${base}/#`);
  // stable_after_ms = 500 and >= 600 ms of running before each kill: every kill is "a crash after a
  // stable run", so the policy restarts at once (no backoff); that is the case being measured.
  const ini = [
    '[mqtt]',
    'broker = 127.0.0.1',
    `port = ${broker.port}`,
    `base_topic = ${base}`,
    'device_name = bench',
    `client_id = bench-${process.pid}`,
    '[global]',
    'log_level = warn',
    `media_base_path = ${media}`,
    'heartbeat_enabled = false',
    '[system:main]',
    `warm_spares = ${SPARES}`,
    'max_restarts = 1000',
    'restart_window_ms = 60000',
    'stable_after_ms = 500',
    'heartbeat_timeout_ms = 3000',
    SCREEN ? '[screen:zone1]' : '[audio:zone1]',
    `topic = ${base}/zone1`,
    'media_dir = .',
    ...(SCREEN ? ['mpv_video_options = --vo=null'] : []),
    ...(IMAGE ? ['default_image = still.png'] : []),
    ...(AUDIO_OPTIONS ? [`mpv_audio_options = ${AUDIO_OPTIONS}`] : []),
  ].join('\n');
  const sup = startSupervisor({ dir, config: ini });
  const cmd = (body) => probe.command(`${base}/zone1/commands`, `${base}/zone1/events`, body, 10_000);
  const timePos = async () =>
    (await cmd({ command: 'getMpvProperty', role: 'background', property: 'time-pos' })).result;
  const ready = [];
  const playing = [];
  const crashed = [];
  const via = {};
  const sys = (body) => probe.command(`${base}/system/commands`, `${base}/system/events`, body, 10_000);
  const spareReady = async () => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const spares = (await sys({ command: 'status' })).result.spares ?? [];
      if (spares.some((s) => s.state === 'ready')) return;
      await sleep(50);
    }
    throw new Error('no warm spare ready within 15 s');
  };
  try {
    await probe.waitFor(`${base}/zone1/state`, (m) => m.json?.state === 'ready', 15_000);
    await cmd({ command: 'playBackground', file: 'tone-220.wav', loop: true });
    for (let i = 0; i < KILLS; i++) {
      await sleep(700);
      if (SPARES > 0) await spareReady();
      const st = (await cmd({ command: 'status' })).result;
      const since = Date.now();
      const t0 = now();
      process.kill(st.pid, 'SIGKILL');
      const restarted = await probe.waitFor(
        `${base}/zone1/events`,
        (m) => m.json?.type === 'zone_lifecycle' && m.json?.event === 'restarted',
        10_000,
        since,
      );
      ready.push(restarted.at - since);
      via[restarted.json.via] = (via[restarted.json.via] ?? 0) + 1;
      const crash = probe.messages.find(
        (m) => m.topic === `${base}/zone1/events` && m.json?.event === 'crashed' && m.at >= since,
      );
      if (crash) crashed.push(crash.at - since);
      // Playing again: two readings of the new mpv's time-pos, the second one larger.
      let prev = null;
      for (;;) {
        const r = await timePos().catch(() => null);
        if (r && typeof r.value === 'number') {
          if (prev && prev.pid === r.pid && r.value > prev.value) break;
          prev = r;
        }
        await sleep(10);
      }
      playing.push(now() - t0);
    }
  } finally {
    await sup.stop();
    await probe.close();
    await broker.stop();
  }
  return { ready: stats(ready), playing: stats(playing), crashed: stats(crashed), via };
}

async function benchPm2(dir) {
  const home = join(dir, 'pm2home');
  mkdirSync(home, { recursive: true });
  process.env.PM2_HOME = home;
  const sock = join(dir, 'up.sock');
  const child = join(dir, 'child.cjs');
  // A trivial service: once up, it says so (its pid) on a socket, then idles.
  writeFileSync(
    child,
    `const c = require('net').connect(${JSON.stringify(sock)}, () => c.write(process.pid + '\\n'));\nsetInterval(() => {}, 1 << 30);\n`,
  );
  let waiter = null;
  const server = createServer((s) => {
    s.on('data', (d) => waiter?.(Number(String(d).trim()), now()));
    s.on('error', () => {});
  });
  await new Promise((r) => server.listen(sock, r));
  const nextUp = (exceptPid) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('pm2 child did not come back within 10 s')), 10_000);
      waiter = (pid, at) => {
        if (pid === exceptPid) return;
        clearTimeout(t);
        waiter = null;
        resolve({ pid, at });
      };
    });
  const { default: pm2 } = await import('pm2');
  const call = (fn, ...a) => new Promise((res, rej) => fn.call(pm2, ...a, (err, v) => (err ? rej(err) : res(v))));
  const times = [];
  try {
    await call(pm2.connect);
    let up = nextUp(-1);
    await call(pm2.start, {
      script: child,
      name: 'bench-child',
      autorestart: true,
      restart_delay: 0,
      max_restarts: 100_000,
      min_uptime: 100,
    });
    let cur = await up;
    for (let i = 0; i < KILLS; i++) {
      await sleep(700);
      up = nextUp(cur.pid);
      const t0 = now();
      process.kill(cur.pid, 'SIGKILL');
      cur = await up;
      times.push(cur.at - t0);
    }
  } finally {
    try {
      await call(pm2.delete, 'bench-child');
    } catch {}
    try {
      await call(pm2.killDaemon);
    } catch {}
    pm2.disconnect();
    try {
      execFileSync(join(repo, 'node_modules', '.bin', 'pm2'), ['kill'], {
        env: { ...process.env, PM2_HOME: home },
        stdio: 'ignore',
        timeout: 15_000,
      });
    } catch {}
    server.close();
  }
  return { up: stats(times) };
}

const tmp = tempDir('mpvbench');
let exitCode = 0;
try {
  mkdirSync(join(tmp.path, 'm'));
  mkdirSync(join(tmp.path, 'p'));
  const mpvisor = await benchMpvisor(join(tmp.path, 'm'));
  const pm2 = withPm2 ? await benchPm2(join(tmp.path, 'p')) : { up: { n: 0, p50: NaN, p95: NaN, min: NaN, max: NaN } };
  const result = {
    date: new Date().toISOString(),
    cores: cpus().length,
    node: process.version,
    kills: KILLS,
    zone: zoneKind,
    warm_spares: SPARES,
    restarts_via: mpvisor.via,
    mpvisor_crashed_event_ms: mpvisor.crashed,
    mpvisor_ready_ms: mpvisor.ready,
    mpvisor_playing_ms: mpvisor.playing,
    pm2_child_up_ms: pm2.up,
    ratio_p50: +(mpvisor.playing.p50 / pm2.up.p50).toFixed(2),
    ratio_p95: +(mpvisor.playing.p95 / pm2.up.p95).toFixed(2),
    ratio_ready_p50: +(mpvisor.ready.p50 / pm2.up.p50).toFixed(2),
    targets: { ratio: '<= 0.5', p50: '<= 150 ms', p95: '<= 300 ms' },
  };
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else {
    const row = (name, s) =>
      `${name.padEnd(38)} n=${s.n}  p50=${s.p50} ms  p95=${s.p95} ms  min=${s.min}  max=${s.max}`;
    console.log(
      `zone recovery, ${KILLS} kills each, ${result.cores} cores, node ${result.node}, ${zoneKind} zone, warm_spares = ${SPARES}, restarts via ${JSON.stringify(mpvisor.via)}`,
    );
    console.log(row('mpvisor kill -9 worker -> crashed event', mpvisor.crashed));
    console.log(row('mpvisor kill -9 worker -> ready', mpvisor.ready));
    console.log(row('mpvisor kill -9 worker -> playing again', mpvisor.playing));
    console.log(row('pm2 kill -9 child -> child up', pm2.up));
    console.log(
      `ratio mpvisor(playing)/pm2: p50 ${result.ratio_p50}, p95 ${result.ratio_p95}; ready-only p50 ratio ${result.ratio_ready_p50} (target <= 0.5)`,
    );
  }
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  tmp.remove();
}
// pm2's client library keeps handles open after disconnect(); everything of ours is already stopped.
process.exit(exitCode);
