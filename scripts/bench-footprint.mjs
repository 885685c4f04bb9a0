#!/usr/bin/env node
// Footprint benchmark: memory of every process of a run (supervisor, each zone worker, each mpv, each
// warm spare with its mpv; RSS from /proc/PID/status, PSS from /proc/PID/smaps_rollup), idle and while
// background music plays, for 1, 4 and 16 audio zones; time from `mpvisor run` to every zone ready; and
// the growth of supervisor and worker RSS over a long stream of commands. `--node PATH` runs the
// supervisor (and so its workers, which use its binary) under another Node. Uses the built dist/.
//
//   npm run bench:footprint [-- --sizes 1,4,16 --commands 100000 --commands-zones 4 --node PATH
//                             --node-options=--max-old-space-size=96 --heap --report FILE --markdown FILE]
// --program bundle (default: supervisor/build, as `npm start` and the systemd unit run it; `npm run build`
// first) or dist (the compiled tree, supervisor/bin/mpvisor.js). --heap: after the memory figures, the live heap (full GC, heap snapshot) of the supervisor, a worker and a spare.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { census, markdown, mb } from './lib/footprint-report.mjs';
import {
  bundledCliPath,
  Commander,
  cliPath,
  controlStatus,
  iniFor,
  launchSupervisor,
  liveHeapMb,
  machine,
  prepareRun,
  rssKb,
  sleep,
} from './lib/harness.mjs';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,4,16' },
    commands: { type: 'string', default: '100000' },
    'commands-zones': { type: 'string', default: '4' },
    window: { type: 'string', default: '64' },
    node: { type: 'string', default: process.execPath },
    // The production default: scripts/mpvisor.service and `npm start` bound the supervisor's heap so.
    'node-options': { type: 'string', default: '--max-old-space-size=96' },
    'settle-s': { type: 'string', default: '3' },
    heap: { type: 'boolean', default: false },
    program: { type: 'string', default: 'bundle' },
    report: { type: 'string' },
    markdown: { type: 'string' },
  },
});
const SIZES = flags.sizes.split(',').map(Number);
const COMMANDS = Number(flags.commands);
const COMMANDS_ZONES = Number(flags['commands-zones']);
const WINDOW = Number(flags.window);
const NODE = flags.node;
const NODE_ARGS = flags['node-options'].split(' ').filter(Boolean);
const SETTLE_MS = Number(flags['settle-s']) * 1000;
const stamp = Date.now();
const REPORT = flags.report ?? join(tmpdir(), `mpvisor-footprint-${stamp}.json`);
const MARKDOWN = flags.markdown ?? join(tmpdir(), `mpvisor-footprint-${stamp}.md`);
const base = 'fp';
const nodeVersion = execFileSync(NODE, ['-v'], { encoding: 'utf8' }).trim();
const CLI = { bundle: bundledCliPath, dist: cliPath }[flags.program];
if (!CLI) throw new Error(`--program ${flags.program}: bundle or dist`);
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);

async function waitReady(sup, size) {
  let firstReady = null;
  for (;;) {
    const st = await controlStatus(sup.controlSocket, 5000).catch(() => null);
    const ready = st ? st.zones.filter((z) => z.state === 'ready').length : 0;
    if (ready > 0 && firstReady === null) firstReady = performance.now() - sup.spawnedAt;
    if (st && ready === size) return { readyMs: performance.now() - sup.spawnedAt, firstReady };
    if (performance.now() - sup.spawnedAt > 120_000) throw new Error(`${size} zones not ready in 120 s`);
    await sleep(25);
  }
}

async function waitSpares(sup) {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const st = await controlStatus(sup.controlSocket);
    // warm_spares = 1 (the default): one spare, booted once the zones are ready.
    const spares = st.spares ?? [];
    if (spares.length > 0 && spares.every((s) => s.state === 'ready'))
      return { st, at: performance.now() - sup.spawnedAt };
    if (performance.now() > deadline) return { st, at: null };
    await sleep(25);
  }
}

/**
 * Each zone's effect pool (the default 2 voices) warms after its ready: the zone figures are taken with
 * it running. Returns when the last pool was up, from the supervisor's spawn (null: not within 60 s).
 */
async function waitPools(sup) {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const st = await controlStatus(sup.controlSocket);
    const warm = (z) => z.mpv_processes.filter((m) => m.alive && m.role.startsWith('effect-')).length >= 2;
    if (st.zones.every(warm)) return performance.now() - sup.spawnedAt;
    if (performance.now() > deadline) return null;
    await sleep(25);
  }
}

/** `total` valid commands over MQTT, at most `window` unanswered: getState and setVolume, alternating zones. */
async function stream(cmd, zones, total, window) {
  let sent = 0;
  let failed = 0;
  const one = async () => {
    while (sent < total) {
      const i = sent++;
      const z = zones[i % zones.length];
      const body = i % 2 ? { command: 'getState' } : { command: 'setVolume', volume: 40 + (i % 40) };
      const id = cmd.newId();
      const o = await cmd.send(z, body, { waitMs: 30_000, id });
      if (o?.outcome !== 'success') failed++;
      // The commander keeps every id for its checks; a long stream needs none of them afterwards.
      if (o) cmd.tracked.delete(id);
    }
  };
  await Promise.all(Array.from({ length: window }, one));
  return failed;
}

async function runSize(size, withCommands) {
  const zones = Array.from({ length: size }, (_, i) => `z${i + 1}`);
  const { dir, media, broker } = await prepareRun('mpvfoot');
  const ini = iniFor({ port: broker.port, media, base, zones, logLevel: 'warn' });
  const load = machine().loadavg;
  const heapDir = join(dir.path, 'heap');
  mkdirSync(heapDir);
  // Through the environment, so the workers (and spares) the supervisor starts answer SIGUSR2 too.
  const env = flags.heap ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}` } : {};
  const sup = launchSupervisor({ dir: dir.path, ini, node: NODE, nodeArgs: NODE_ARGS, env, cli: CLI });
  let cmd = null;
  try {
    const { readyMs, firstReady } = await waitReady(sup, size);
    const spares = await waitSpares(sup);
    const poolsMs = await waitPools(sup);
    cmd = await Commander.connect(broker.url, base);
    await sleep(SETTLE_MS);
    const idle = census(sup.pid, await controlStatus(sup.controlSocket));
    const tracks = ['tone-220.wav', 'tone-330.wav', 'tone-440.wav'];
    const played = await Promise.all(
      zones.map((z, i) =>
        cmd.send(z, { command: 'playBackground', file: tracks[i % 3], loop: true }, { waitMs: 20_000 }),
      ),
    );
    if (played.some((o) => o?.outcome !== 'success')) throw new Error('playBackground failed');
    await sleep(SETTLE_MS);
    const playing = census(sup.pid, await controlStatus(sup.controlSocket));
    let commands = null;
    if (withCommands && COMMANDS > 0) {
      const warm = Math.min(2000, COMMANDS);
      await stream(cmd, zones, warm, WINDOW);
      const st = await controlStatus(sup.controlSocket);
      const before = { supervisor: rssKb(sup.pid), workers: st.zones.map((z) => rssKb(z.pid)) };
      const t = performance.now();
      const failed = await stream(cmd, zones, COMMANDS, WINDOW);
      const seconds = (performance.now() - t) / 1000;
      await sleep(SETTLE_MS);
      const after = { supervisor: rssKb(sup.pid), workers: st.zones.map((z) => rssKb(z.pid)) };
      commands = {
        n: COMMANDS,
        warm_up: warm,
        failed,
        per_second: Math.round(COMMANDS / seconds),
        supervisor_rss_mb: [mb(before.supervisor), mb(after.supervisor)],
        supervisor_growth_mb: mb(after.supervisor - before.supervisor),
        worker_growth_max_mb: Math.max(...after.workers.map((a, i) => mb(a - before.workers[i]))),
      };
    }
    let liveHeap = null;
    if (flags.heap) {
      const st = await controlStatus(sup.controlSocket);
      // Last, and the supervisor last of all: writing a snapshot stops a process for a while, and a
      // supervisor that stops longer than heartbeat_timeout_ms then kills every worker (it did at 16 zones).
      const heapOf = (pid) => liveHeapMb(pid, heapDir).catch(() => null);
      const worker_mb = await heapOf(st.zones[0].pid);
      const spare_mb = st.spares?.[0] ? await heapOf(st.spares[0].pid) : null;
      liveHeap = { supervisor_mb: await heapOf(sup.pid), worker_mb, spare_mb };
    }
    const row = {
      zones: size,
      live_heap: liveHeap,
      loadavg_before: load,
      ready_ms: Math.round(readyMs),
      first_zone_ready_ms: Math.round(firstReady),
      spares_ready_ms: spares.at === null ? null : Math.round(spares.at),
      pools_warm_ms: poolsMs === null ? null : Math.round(poolsMs),
      idle,
      playing,
      commands,
    };
    const s = idle.summary;
    console.log(
      `${String(size).padStart(2)} zones: ready ${row.ready_ms} ms (first ${row.first_zone_ready_ms}, spares ${row.spares_ready_ms}, pools ${row.pools_warm_ms}); ` +
        `sup RSS ${s.supervisor_rss_mb}/${playing.summary.supervisor_rss_mb} MB; worker RSS ${s.worker_rss_mb} PSS ${s.worker_pss_mb}; ` +
        `mpv PSS ${s.mpv_pss_mb} (x${s.mpv_per_zone}); zone PSS ${s.zone_pss_mb}; spare PSS ${s.spare_pss_mb}; tree PSS ${s.tree_pss_mb} MB` +
        (commands
          ? `; ${COMMANDS} commands (${commands.per_second}/s, ${commands.failed} failed): sup RSS +${commands.supervisor_growth_mb} MB, workers <= +${commands.worker_growth_max_mb} MB`
          : ''),
    );
    return row;
  } catch (err) {
    // A size that fails (not ready in time under load) is a figure too; its log is kept beside the report.
    const log = REPORT.replace(/\.json$/, `.z${size}.log`);
    copyFileSync(sup.logFile, log);
    console.log(`${String(size).padStart(2)} zones: FAILED: ${err.message} (supervisor log: ${log})`);
    return { zones: size, loadavg_before: load, error: err.message };
  } finally {
    await cmd?.close();
    const exit = await sup.terminate(60_000);
    if (exit.code !== 0) console.log(`  (supervisor exit ${exit.code ?? exit.signal})`);
    await broker.stop();
    dir.remove();
  }
}

const m = machine();
console.log(
  `footprint benchmark: ${m.nproc} cores (${m.cpu}), ${nodeVersion} (${NODE}), ${CLI}, load ${m.loadavg?.join(' ')}`,
);
const rows = [];
for (const size of SIZES) rows.push(await runSize(size, size === COMMANDS_ZONES));
writeFileSync(
  REPORT,
  `${JSON.stringify({ kind: 'footprint', machine: m, node: nodeVersion, node_args: NODE_ARGS, program: flags.program, rows }, null, 2)}\n`,
);
const table = markdown(m, rows, { nodeVersion, program: flags.program, nodeArgs: NODE_ARGS });
writeFileSync(MARKDOWN, table);
console.log(table);
console.log(`report: ${REPORT}\nmarkdown: ${MARKDOWN}`);
