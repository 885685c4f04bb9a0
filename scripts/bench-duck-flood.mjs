#!/usr/bin/env node
// Issue 17's attack 4 as a measurement: unpaced floods of distinct duck ids on one zone's command topic,
// through a real Mosquitto (queueing everything, so all of it reaches the supervisor), against a real
// supervisor, worker and mpv. Prints the supervisor's VmRSS at start, after each flood and at its peak,
// the outcomes by kind, the time until the last outcome arrived, and RSS 30 s after each flood.
//   node scripts/bench-duck-flood.mjs [--ids 10000] [--floods 2] [--node-options='--max-old-space-size=96 --max-semi-space-size=1']
//                                     [--heartbeat-timeout-ms 3000]
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { ensureDemoMedia } from '../packages/config/dist/index.js';
import {
  MqttProbe,
  sleep,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
} from '../packages/testkit/dist/index.js';

const { values } = parseArgs({
  options: {
    ids: { type: 'string', default: '10000' },
    floods: { type: 'string', default: '2' },
    'node-options': { type: 'string', default: '--max-old-space-size=96 --max-semi-space-size=1' },
    'heartbeat-timeout-ms': { type: 'string', default: '3000' },
  },
});
const ids = Number(values.ids);
const floods = Number(values.floods);
const base = 'bdf';

const rssKb = (pid) =>
  Number(
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'))
      .replace(/\D+/g, ''),
  );
const mb = (kb) => Math.round(kb / 102.4) / 10;

const dir = tempDir('bdf');
const media = join(dir.path, 'media');
mkdirSync(media, { recursive: true });
await ensureDemoMedia(media);
const broker = await startMosquitto({ dir: dir.path, extra: ['max_queued_messages 0'] });
const probe = await MqttProbe.connect(broker.url);
await probe.subscribe(`${base}/#`);
const config = testConfig({ port: broker.port, mediaDir: media, zones: ['room'], base, extra: 'warm_spares = 0' })
  .replace('log_level = debug', 'log_level = warn')
  // A generous start for a loaded shared machine; the heartbeat watchdog as configured by default (3 s):
  // a flood must not hold heartbeats back until it kills a healthy worker.
  .replace('startup_timeout_ms = 8000', 'startup_timeout_ms = 30000')
  .replace('heartbeat_timeout_ms = 3000', `heartbeat_timeout_ms = ${values['heartbeat-timeout-ms']}`);
const sup = startSupervisor({ dir: dir.path, config, env: { NODE_OPTIONS: values['node-options'] } });
let flooder;
try {
  await probe.waitFor(`${base}/room/state`, (m) => m.json?.state === 'ready', 90_000);
  flooder = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  const events = `${base}/room/events`;
  const cmd = (body) => probe.command(`${base}/room/commands`, events, body, 30_000);
  // V8's live heap beside RSS: growth in RSS alone may be heap space V8 keeps after a burst, not data.
  const heapMb = async () =>
    (await probe.command(`${base}/system/commands`, `${base}/system/events`, { command: 'metrics' }, 30_000)).result
      ?.supervisor?.heap_mb;
  await cmd({ command: 'playBackground', file: 'tone-220.wav' });
  await sleep(1000);
  const start = rssKb(sup.pid);
  console.log(
    `cores ${cpus().length}, load ${loadavg()[0].toFixed(1)}, supervisor NODE_OPTIONS ${values['node-options']}`,
  );
  console.log(`supervisor RSS at start: ${mb(start)} MB, V8 heap used ${await heapMb()} MB`);
  let previous = start;
  for (let f = 1; f <= floods; f++) {
    const prefix = `f${f}-`;
    let peak = previous;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(sup.pid))), 50);
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: ids }, (_, i) =>
        flooder.publishAsync(
          `${base}/room/commands`,
          JSON.stringify({ command: 'duck', id: `${prefix}${i}`, duck_id: `${prefix}${i}-${'x'.repeat(48)}` }),
          { qos: 1 },
        ),
      ),
    );
    const mine = () =>
      probe.messages.filter((m) => m.topic === events && m.json?.type === 'command' && m.json.id?.startsWith(prefix));
    await waitFor(() => mine().length >= ids, 300_000, `${ids} outcomes`, 200);
    const elapsed = Date.now() - t0;
    clearInterval(sampler);
    const kinds = {};
    for (const m of mine())
      kinds[`${m.json.outcome}/${m.json.error_type}`] = (kinds[`${m.json.outcome}/${m.json.error_type}`] ?? 0) + 1;
    const state = await cmd({ command: 'getState' });
    const now = rssKb(sup.pid);
    console.log(
      `flood ${f}: ${ids} ids, last outcome after ${elapsed} ms; outcomes ${JSON.stringify(kinds)}; getState ${state.outcome}; ` +
        `RSS ${mb(now)} MB (${now - previous >= 0 ? '+' : ''}${mb(now - previous)} MB over this flood, peak ${mb(peak)} MB), V8 heap used ${await heapMb()} MB`,
    );
    await cmd({ command: 'unduck' });
    // V8's memory reducer gives back the heap a burst grew a few seconds after it ends.
    await sleep(30_000);
    previous = rssKb(sup.pid);
    console.log(
      `  30 s later: RSS ${mb(previous)} MB (${mb(previous - start)} MB over the start), V8 heap used ${await heapMb()} MB`,
    );
  }
  const crashes = sup
    .output()
    .split('\n')
    .filter((l) => /"worker exited"|killing worker/.test(l));
  console.log(crashes.length === 0 ? 'worker: no crash, no kill' : `worker:\n${crashes.join('\n')}`);
} finally {
  await flooder?.endAsync(true);
  await sup.stop();
  await probe.close();
  await broker.stop();
  dir.remove();
}
