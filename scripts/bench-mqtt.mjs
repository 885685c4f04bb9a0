// MQTT command round trip through a real Mosquitto (set_tcp_nodelay true), against the broker's own floor.
// Usage: npm run build && npm run bench:mqtt [-- --n 1000 --burst 1000 --zones 2]
// Uses the built dist/ of the supervisor and packages/testkit; prints a summary and one JSON line.
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { ensureDemoMedia } from '../packages/config/dist/index.js';
import { startMosquitto, startSupervisor, tempDir, testConfig, waitFor } from '../packages/testkit/dist/index.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    burst: { type: 'string', default: '1000' },
    zones: { type: 'string', default: '2' },
  },
});
const N = Number(values.n);
const BURST = Number(values.burst);
const ZONES = ['lobby', 'vault', 'cellar', 'attic'].slice(0, Math.max(1, Math.min(4, Number(values.zones))));
const base = 'bench';

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: +pct(s, 50).toFixed(3),
    p90: +pct(s, 90).toFixed(3),
    p99: +pct(s, 99).toFixed(3),
    max: +s.at(-1).toFixed(3),
  };
};

async function client(url) {
  const c = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
  c.stream.setNoDelay?.(true);
  return c;
}

const dir = tempDir('mpvbench');
const media = join(dir.path, 'media');
mkdirSync(media, { recursive: true });
await ensureDemoMedia(media);
const broker = await startMosquitto({ dir: dir.path });
const ini = testConfig({ port: broker.port, mediaDir: media, zones: ZONES, base }).replace(
  'log_level = debug',
  'log_level = info',
);
const sup = startSupervisor({ dir: dir.path, config: ini });
let c;
try {
  c = await client(broker.url);
  // One listener; each command resolves by its id, so the measurement has no polling in it.
  const pending = new Map();
  let systemState = null;
  c.on('message', (topic, payload) => {
    if (topic === `${base}/system/state`) systemState = JSON.parse(payload.toString()).state;
    else if (topic === `${base}/floor`) pending.get(payload.toString())?.(performance.now());
    else if (topic.endsWith('/events')) {
      const m = JSON.parse(payload.toString());
      if (m.type === 'command' && m.id) pending.get(m.id)?.(m);
    }
  });
  await c.subscribeAsync([`${base}/+/events`, `${base}/system/state`, `${base}/floor`], { qos: 1 });
  await waitFor(() => systemState === 'running', 20_000, 'zones ready');

  const roundTrip = (topic, payload, id) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const timer = setTimeout(() => reject(new Error(`no answer for ${id}`)), 10_000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve({ ms: performance.now() - t0, m });
      });
      c.publish(topic, payload, { qos: 1 });
    });

  // Floor: the broker's own QoS 1 publish -> receive round trip, same client, same run.
  const floor = [];
  for (let i = 0; i < N + 100; i++) {
    const { ms } = await roundTrip(`${base}/floor`, `f-${i}`, `f-${i}`);
    if (i >= 100) floor.push(ms);
  }
  // Command: getState on a zone, publish -> its outcome on the zone's events topic.
  const cmd = [];
  const server = [];
  for (let i = 0; i < N + 100; i++) {
    const zone = ZONES[i % ZONES.length];
    const id = `g-${i}`;
    const { ms, m } = await roundTrip(`${base}/${zone}/commands`, JSON.stringify({ command: 'getState', id }), id);
    if (m.outcome !== 'success') throw new Error(`getState failed: ${JSON.stringify(m)}`);
    if (i >= 100) {
      cmd.push(ms);
      server.push(m.duration_ms);
    }
  }
  // Burst: BURST commands across the zones at once; time to the last outcome.
  const t0 = performance.now();
  const all = [];
  for (let i = 0; i < BURST; i++) {
    const zone = ZONES[i % ZONES.length];
    const id = `b-${i}`;
    all.push(roundTrip(`${base}/${zone}/commands`, JSON.stringify({ command: 'getState', id }), id));
  }
  const results = await Promise.all(all);
  const burstMs = performance.now() - t0;
  const ok = results.filter((r) => r.m.outcome === 'success').length;

  const out = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    zones: ZONES.length,
    floor_ms: summary(floor),
    getState_ms: summary(cmd),
    getState_server_ms: summary(server),
    burst: {
      commands: BURST,
      outcomes: results.length,
      success: ok,
      last_outcome_ms: +burstMs.toFixed(1),
      per_s: Math.round(BURST / (burstMs / 1000)),
    },
  };
  const f = (s) => `p50 ${s.p50} ms, p90 ${s.p90} ms, p99 ${s.p99} ms, max ${s.max} ms (n=${s.n})`;
  console.log(`broker floor (QoS 1 publish -> receive): ${f(out.floor_ms)}`);
  console.log(`getState round trip (publish -> outcome): ${f(out.getState_ms)}`);
  console.log(`  of which inside the supervisor (duration_ms): ${f(out.getState_server_ms)}`);
  console.log(
    `burst: ${BURST} commands across ${ZONES.length} zones, ${results.length} outcomes (${ok} success), last after ${out.burst.last_outcome_ms} ms (${out.burst.per_s}/s)`,
  );
  console.log(JSON.stringify(out));
} finally {
  await c?.endAsync(true);
  await sup.stop();
  await broker.stop();
  dir.remove();
}
