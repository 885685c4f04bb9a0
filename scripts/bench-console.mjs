// Operator console with a fleet of 20 nodes: the console's own memory and CPU while 20 nodes publish as
// real supervisors do (retained availability, system and zone state, heartbeat and metrics every second),
// and the latency from a zone state change published on MQTT to the row's state drawn in Chromium.
// The nodes are simulated by one MQTT client publishing the supervisors' exact messages, so the figures
// are the console's alone (20 real supervisors are in packages/console/test/fleet.int.test.ts).
// Usage: npm run build && npm run bench:console [-- --nodes 20 --samples 300 --steady 30]
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import puppeteer from 'puppeteer-core';
import { cliPath, startMosquitto, tempDir, waitFor, sleep } from '../packages/testkit/dist/index.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '20' },
    samples: { type: 'string', default: '300' },
    steady: { type: 'string', default: '30' },
  },
});
const NODES = Number(values.nodes);
const SAMPLES = Number(values.samples);
const STEADY_S = Number(values.steady);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s.at(-1) };
};
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const base = (i) => `venue/n${String(i + 1).padStart(2, '0')}`;
const now = () => new Date().toISOString();
const zoneState = (i, state, restarts) => ({
  timestamp: now(),
  zone: 'main',
  type: 'status',
  zone_type: 'audio',
  state,
  pid: 1000 + i,
  restarts,
  last_exit: null,
  next_restart_ms: null,
  uptime_ms: 60_000,
  mpv_processes: [{ role: 'background', instance: 'background', pid: 2000 + i, alive: true, restarts: 0 }],
  resources: { cpu_percent: 1.2, rss_mb: 58, processes: 3 },
  errors: [],
  background: { file: `/srv/media/n${i}/theme.wav`, status: 'playing', volume: 80, loop: true, position_s: 12.5 },
  speech: { file: null, status: 'stopped', queue_length: 0, queue: [] },
  effects: { active: 0 },
  volume: 100,
  ducked: false,
  paused_all: false,
  audio_output: 'pulse',
});

const dir = tempDir('cbench');
const broker = await startMosquitto({ dir: dir.path });
const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
pub.stream.setNoDelay?.(true);
const restarts = Array(NODES).fill(0);
for (let i = 0; i < NODES; i++) {
  await pub.publishAsync(`${base(i)}/test/availability`, 'online', { qos: 1, retain: true });
  await pub.publishAsync(`${base(i)}/main/state`, JSON.stringify(zoneState(i, 'ready', 0)), { qos: 1, retain: true });
}
const started = Date.now();
const everySecond = setInterval(() => {
  for (let i = 0; i < NODES; i++) {
    pub.publish(
      `${base(i)}/system/state`,
      JSON.stringify({
        timestamp: now(),
        state: 'running',
        pid: 1000 + i,
        uptime_ms: Date.now() - started,
        zones: { main: { status: 'ready' } },
        zone_states: { main: 'ready' },
      }),
      { qos: 1, retain: true },
    );
    pub.publish(
      `${base(i)}/system/metrics`,
      JSON.stringify({
        timestamp: now(),
        supervisor: { rss_mb: 45, heap_mb: 20 },
        zones: { main: { cpu_percent: 1.2, rss_mb: 58, processes: 3 } },
      }),
      { qos: 1, retain: true },
    );
    pub.publish(
      `${base(i)}/heartbeat`,
      JSON.stringify({
        timestamp: now(),
        application: 'pfx',
        implementation: 'mpvisor',
        device_name: 'test',
        ip_address: '192.0.2.10',
        status: 'online',
        uptime: (Date.now() - started) / 1000,
        zones: { main: { status: 'ready' } },
        zone_states: { main: 'ready' },
      }),
      { qos: 0 },
    );
  }
}, 1000);

const con = spawn(process.execPath, [cliPath, 'console', '--port', '0', '--mqtt', broker.url], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
con.stderr.on('data', (d) => (out += d));
con.stdout.on('data', () => undefined);
const url = await waitFor(() => /mpvisor console: (http:\S+\/)/.exec(out)?.[1], 30_000, 'the console');
mkdirSync(join(dir.path, 'profile'));
const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  userDataDir: join(dir.path, 'profile'),
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  const opened = Date.now();
  await page.goto(url);
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('.zone[data-state="ready"]').length === n &&
      document.querySelectorAll('.node-online[data-state="online"]').length === n,
    { timeout: 30_000, polling: 'mutation' },
    NODES,
  );
  const allShownMs = Date.now() - opened;

  // Steady state: every node's heartbeat, metrics and system state each second, one page watching.
  await sleep(3000);
  const t0 = ticks(con.pid);
  const w0 = Date.now();
  await sleep(STEADY_S * 1000);
  const cpuPercent = ((ticks(con.pid) - t0) / 100 / ((Date.now() - w0) / 1000)) * 100;
  const rss = rssMb(con.pid);

  // Latency: a zone goes degraded or ready; time from publish to the row's state drawn on the page.
  await page.evaluate(() => {
    window.__drawn = [];
    const last = new Map();
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('.zone')) {
        if (last.get(row.dataset.zone) !== row.dataset.state) {
          last.set(row.dataset.zone, row.dataset.state);
          window.__drawn.push({ zone: row.dataset.zone, state: row.dataset.state, at: Date.now() });
        }
      }
    }).observe(document.getElementById('nodes'), { subtree: true, childList: true, attributes: true });
  });
  const latencies = [];
  for (let k = 0; k < SAMPLES; k++) {
    const i = k % NODES;
    const state = Math.floor(k / NODES) % 2 === 0 ? 'degraded' : 'ready';
    restarts[i]++;
    const sentAt = Date.now();
    await pub.publishAsync(`${base(i)}/main/state`, JSON.stringify(zoneState(i, state, restarts[i])), {
      qos: 1,
      retain: true,
    });
    const drawn = await waitFor(
      () =>
        page.evaluate(
          (z, s, t) => window.__drawn.find((d) => d.zone === z && d.state === s && d.at >= t),
          `${base(i)}/main`,
          state,
          sentAt - 5,
        ),
      10_000,
      `sample ${k}`,
      5,
    );
    latencies.push(drawn.at - sentAt);
    await sleep(20);
  }
  const result = {
    nodes: NODES,
    load_average_1m: +loadavg()[0].toFixed(1),
    all_nodes_shown_ms: allShownMs,
    console_rss_mb: +rss.toFixed(1),
    console_cpu_percent: +cpuPercent.toFixed(2),
    steady_window_s: STEADY_S,
    state_to_page_ms: summary(latencies),
  };
  console.log(
    `console with ${NODES} nodes: RSS ${result.console_rss_mb} MB, CPU ${result.console_cpu_percent}% over ${STEADY_S} s; all nodes on the page ${allShownMs} ms after opening`,
  );
  console.log(
    `MQTT state change -> page drawn: p50 ${result.state_to_page_ms.p50} ms, p90 ${result.state_to_page_ms.p90} ms, p99 ${result.state_to_page_ms.p99} ms, max ${result.state_to_page_ms.max} ms (n=${SAMPLES}, load ${result.load_average_1m})`,
  );
  console.log(JSON.stringify(result));
} finally {
  clearInterval(everySecond);
  await browser.close();
  con.kill('SIGTERM');
  await new Promise((r) => con.once('exit', r));
  await pub.endAsync();
  await broker.stop();
  dir.remove();
}
