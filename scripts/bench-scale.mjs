#!/usr/bin/env node
// Scale benchmark: 1, 4, 8, 16 audio zones on this machine. For each size: time from `mpvisor run`
// to every zone ready; supervisor RSS; per-zone memory (worker + its mpv: RSS and PSS from /proc);
// CPU of supervisor, workers and mpv at idle and while background music plays in every zone;
// getState round trip (p50/p99) over MQTT at idle and while playing. Then the largest size again with
// effects_pool_size = 0 (and 1), because the warm effects pool multiplies the mpv count.
// Uses the built dist/ (`npx tsc -b` first).
//
//   npm run bench:scale [-- --sizes 1,4,8,16 --pools 0,1 --n 200 --report FILE]
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  allStats,
  CLK_TCK,
  Commander,
  controlStatus,
  descendantStats,
  iniFor,
  launchSupervisor,
  machine,
  prepareRun,
  procStat,
  pssKb,
  rssKb,
  sleep,
  stats,
} from './lib/harness.mjs';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,4,8,16' },
    pools: { type: 'string', default: '0,1' },
    n: { type: 'string', default: '200' },
    'sample-s': { type: 'string', default: '5' },
    report: { type: 'string' },
  },
});
const SIZES = flags.sizes.split(',').map(Number);
const POOLS = flags.pools
  ? flags.pools
      .split(',')
      .filter((x) => x !== '')
      .map(Number)
  : [];
const N = Number(flags.n);
const SAMPLE_S = Number(flags['sample-s']);
const REPORT = flags.report ?? join(tmpdir(), `mpvisor-scale-${Date.now()}.json`);
const base = 'scale';
const mb = (kb) => +(kb / 1024).toFixed(1);

/** CPU % of one core over `seconds`, for groups of pids. */
async function cpuOver(groups, seconds) {
  const read = () =>
    Object.fromEntries(
      Object.entries(groups).map(([k, pids]) => [k, pids.reduce((n, p) => n + (procStat(p)?.ticks ?? 0), 0)]),
    );
  const a = read();
  const t = performance.now();
  await sleep(seconds * 1000);
  const b = read();
  const s = (performance.now() - t) / 1000;
  return Object.fromEntries(Object.keys(groups).map((k) => [k, +(((b[k] - a[k]) / CLK_TCK / s) * 100).toFixed(1)]));
}

function memory(sup, st) {
  const zones = st.zones.map((z) => {
    const pids = [z.pid, ...z.mpv_processes.filter((m) => m.alive && m.pid).map((m) => m.pid)].filter(Boolean);
    return {
      zone: z.zone,
      processes: pids.length,
      rss_kb: pids.reduce((n, p) => n + (rssKb(p) ?? 0), 0),
      pss_kb: pids.reduce((n, p) => n + (pssKb(p) ?? 0), 0),
      worker_rss_kb: rssKb(z.pid) ?? 0,
    };
  });
  const tree = descendantStats(sup.pid, allStats());
  const mean = (f) => zones.reduce((n, z) => n + f(z), 0) / Math.max(1, zones.length);
  return {
    supervisor_rss_mb: mb(rssKb(sup.pid) ?? 0),
    supervisor_pss_mb: mb(pssKb(sup.pid) ?? 0),
    per_zone_rss_mb: mb(mean((z) => z.rss_kb)),
    per_zone_pss_mb: mb(mean((z) => z.pss_kb)),
    per_zone_worker_rss_mb: mb(mean((z) => z.worker_rss_kb)),
    per_zone_processes: +mean((z) => z.processes).toFixed(1),
    tree_processes: tree.length,
    tree_mpv: tree.filter((s) => s.comm === 'mpv').length,
    tree_pss_mb: mb(tree.reduce((n, s) => n + (pssKb(s.pid) ?? 0), 0) + (pssKb(sup.pid) ?? 0)),
  };
}

function groupsOf(sup, st) {
  const workers = st.zones.map((z) => z.pid).filter(Boolean);
  const tree = descendantStats(sup.pid, allStats());
  return {
    supervisor: [sup.pid],
    workers: tree
      .filter((s) => s.comm !== 'mpv' && s.ppid === sup.pid)
      .map((s) => s.pid)
      .filter((p) => p),
    mpv: tree.filter((s) => s.comm === 'mpv').map((s) => s.pid),
    _zones: workers,
  };
}

async function latency(cmd, zones, n) {
  const ms = [];
  for (let i = 0; i < n + 20; i++) {
    const z = zones[i % zones.length];
    const t = performance.now();
    const o = await cmd.send(z, { command: 'getState' }, { waitMs: 10_000 });
    if (o?.outcome !== 'success') throw new Error(`getState on ${z}: ${JSON.stringify(o)}`);
    if (i >= 20) ms.push(performance.now() - t);
  }
  const s = stats(ms);
  return { p50: +s.p50.toFixed(2), p99: +s.p99.toFixed(2), max: +s.max.toFixed(2) };
}

async function runSize(size, pool) {
  const zones = Array.from({ length: size }, (_, i) => `z${i + 1}`);
  const { dir, media, broker } = await prepareRun('mpvscale');
  const ini = iniFor({
    port: broker.port,
    media,
    base,
    zones,
    logLevel: 'warn',
    zoneExtra: pool === null ? [] : [`effects_pool_size = ${pool}`],
  });
  const load = machine().loadavg;
  const sup = launchSupervisor({ dir: dir.path, ini });
  let cmd = null;
  try {
    // Time to every zone ready, from the spawn of `mpvisor run`.
    let st;
    let firstReady = null;
    for (;;) {
      st = await controlStatus(sup.controlSocket, 5000).catch(() => null);
      const ready = st ? st.zones.filter((z) => z.state === 'ready').length : 0;
      if (ready > 0 && firstReady === null) firstReady = performance.now() - sup.spawnedAt;
      if (st && ready === size) break;
      if (performance.now() - sup.spawnedAt > 120_000) throw new Error(`${size} zones not ready in 120 s`);
      await sleep(25);
    }
    const readyMs = performance.now() - sup.spawnedAt;
    const startups = st.zones.map((z) => z.uptime_ms);
    cmd = await Commander.connect(broker.url, base);
    await sleep(3000);
    st = await controlStatus(sup.controlSocket);
    const idleMem = memory(sup, st);
    const idleCpu = await cpuOver(groupsOf(sup, st), SAMPLE_S);
    const idleLat = await latency(cmd, zones, N);
    // Background music in every zone.
    const tracks = ['tone-220.wav', 'tone-330.wav', 'tone-440.wav'];
    const r = await Promise.all(
      zones.map((z, i) =>
        cmd.send(z, { command: 'playBackground', file: tracks[i % 3], loop: true }, { waitMs: 20_000 }),
      ),
    );
    if (r.some((o) => o?.outcome !== 'success')) throw new Error('playBackground failed');
    await sleep(2000);
    st = await controlStatus(sup.controlSocket);
    const playCpu = await cpuOver(groupsOf(sup, st), SAMPLE_S);
    const playMem = memory(sup, st);
    const playLat = await latency(cmd, zones, N);
    const row = {
      zones: size,
      effects_pool_size: pool ?? 2,
      loadavg_before: load,
      ready_ms: Math.round(readyMs),
      first_zone_ready_ms: Math.round(firstReady),
      idle: { ...idleMem, cpu_percent: strip(idleCpu), getState_ms: idleLat },
      playing: { ...playMem, cpu_percent: strip(playCpu), getState_ms: playLat },
    };
    console.log(
      `${String(size).padStart(2)} zones, pool ${row.effects_pool_size}: ready ${row.ready_ms} ms (first ${row.first_zone_ready_ms}); ` +
        `sup RSS ${idleMem.supervisor_rss_mb}/${playMem.supervisor_rss_mb} MB; per zone RSS ${idleMem.per_zone_rss_mb} MB PSS ${idleMem.per_zone_pss_mb} MB (${idleMem.per_zone_processes} proc); ` +
        `tree PSS ${idleMem.tree_pss_mb} MB, ${idleMem.tree_mpv} mpv; CPU idle ${JSON.stringify(row.idle.cpu_percent)} playing ${JSON.stringify(row.playing.cpu_percent)}; ` +
        `getState idle p50 ${idleLat.p50} p99 ${idleLat.p99} ms, playing p50 ${playLat.p50} p99 ${playLat.p99} ms`,
    );
    return row;
  } finally {
    await cmd?.close();
    const exit = await sup.terminate(60_000);
    if (exit.code !== 0) console.log(`  (supervisor exit ${exit.code ?? exit.signal})`);
    await broker.stop();
    dir.remove();
  }
}

const strip = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('_')));

const rows = [];
const m = machine();
console.log(`scale benchmark: ${m.nproc} cores (${m.cpu}), node ${m.node}, load ${m.loadavg?.join(' ')}`);
for (const size of SIZES) rows.push(await runSize(size, null));
const largest = Math.max(...SIZES);
for (const pool of POOLS) rows.push(await runSize(largest, pool));
const out = { kind: 'scale', machine: m, samples_s: SAMPLE_S, getState_n: N, rows };
writeFileSync(REPORT, JSON.stringify(out, null, 2) + '\n');
console.log(`report: ${REPORT}`);
