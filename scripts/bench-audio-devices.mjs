#!/usr/bin/env node
// Audio outputs that come and go: on a private PulseAudio (or PipeWire with --pipewire), zones a and b
// play their own tones on their own null sinks, and a combined-audio zone `both` its own on a combine
// sink over two more (room_c, room_d); one parec recorder per monitor (band-limited RMS per 50 ms
// window). Each round: (1) zone a's sink unloaded for 1.5 s, then loaded again: time from the
// load to a's tone heard on room_a again, and how long a's tone reached room_b meanwhile (the server's
// rescue to its default sink, before the worker moves the stream to our holding sink); (2) the audio
// server killed, 1 s without it, started again: time from its return (pactl answers) to each zone's
// tone heard again (the combined zone's on room_c), and to each zone's stream on its sink (the combined
// zone's on its re-created combine sink). No MQTT command is sent (getMpvProperty only reads which mpv is whose). Uses the built dist/ (run `npx tsc -b` first).
// --trace prints each round's timeline while room_a is gone: the leak windows on room_b, the server's
// events (bench `pactl subscribe`) and the output guard's own steps (the supervisor at log level debug).
//   node scripts/bench-audio-devices.mjs [--rounds 10] [--pipewire] [--guarded] [--no-recorders] [--json] [--trace]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, prepareRun, stats, iniFor, sleep } from './lib/harness.mjs';
import { PulseWatch } from '../packages/pulse/dist/index.js';
import {
  MqttProbe,
  startMonitorRecorder,
  startPipewirePulse,
  startPulse,
  startSupervisor,
} from '../packages/testkit/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROUNDS = Number(arg('rounds', '10'));
const LOG = join(tmpdir(), 'bench-audio-devices.log');
const PIPEWIRE = process.argv.includes('--pipewire');
const asJson = process.argv.includes('--json');
const TRACE = process.argv.includes('--trace');
// Zones a and b are isolated, as zones on a pulse device are by default (each its own null sink, bridged to
// its room by a loopback the server may not move): "stream on its sink" is then the bridge's stream on the
// room's sink. --guarded: both with isolate_output = false (the output guard moves their streams).
const GUARDED = process.argv.includes('--guarded');
// --no-recorders: no parec on any monitor (so nothing "heard", no leak figure): the server's own events
// only, to see how much of a return's time is the three recorders' load on the server and the machine.
const LISTEN = !process.argv.includes('--no-recorders');
const TONE = { a: 440, b: 660, both: 550 };
const HEARD = 0.05;
const SILENT = 0.02;
const WINDOW_MS = 50;

const { dir, media, broker } = await prepareRun('mpvbad');
for (const [z, f] of Object.entries(TONE))
  execFileSync('sox', [
    '-n',
    '-r',
    '16000',
    '-c',
    '1',
    '-b',
    '16',
    join(media, `tone-${z}.wav`),
    'synth',
    '600',
    'sine',
    String(f),
    'vol',
    '0.3',
  ]);
const daemon = await (PIPEWIRE ? startPipewirePulse : startPulse)({
  dir: dir.path,
  sinks: ['room_a', 'room_b', 'room_c', 'room_d'],
});
const env = { ...process.env, ...daemon.env };
const pactl = (...args) => execFileSync('pactl', args, { env, timeout: 5000 }).toString();
const worstCaseDefault = () => pactl('set-default-sink', 'room_b');
worstCaseDefault();
const rec = Object.fromEntries(
  (LISTEN ? ['room_a', 'room_b', 'room_c'] : []).map((sink) => [
    sink,
    startMonitorRecorder({ env, sink, tones: Object.values(TONE) }),
  ]),
);
await Promise.all(Object.values(rec).map((r) => r.ready(10_000)));

const base = 'bench';
const ini = iniFor({
  port: broker.port,
  media,
  base,
  zones: [],
  logLevel: TRACE ? 'debug' : 'warn',
  system: [
    'warm_spares = 0',
    'startup_timeout_ms = 30000',
    ...['a', 'b'].flatMap((z) => [
      `[audio:${z}]`,
      `topic = ${base}/${z}`,
      'media_dir = .',
      'effects_pool_size = 0',
      `audio_device = pulse/room_${z}`,
      ...(GUARDED ? ['isolate_output = false'] : []),
    ]),
    '[combined-audio:both]',
    `topic = ${base}/both`,
    'media_dir = .',
    'effects_pool_size = 0',
    'combined_sinks = pulse/room_c, pulse/room_d',
  ],
});
const probe = await MqttProbe.connect(broker.url);
await probe.subscribe(`${base}/#`);
const since = Date.now();
const sup = startSupervisor({ dir: dir.path, config: ini, env: daemon.env });
for (const z of Object.keys(TONE))
  await probe.waitFor(`${base}/${z}/state`, (m) => m.json?.state === 'ready', 60_000, since);
for (const z of Object.keys(TONE))
  await probe.command(
    `${base}/${z}/commands`,
    `${base}/${z}/events`,
    { command: 'playBackground', file: `tone-${z}.wav` },
    20_000,
  );
// The instrument: a recorder needs 0.1-3 s to capture a monitor that came back (much more than what is
// measured), so "music back on the sink" is timed by the server's own event for the zone's stream
// (a new stream opened there, or the stream moved there), and the recorder then confirms it is heard.
const events = [];
const watch = new PulseWatch({
  env,
  onEvent: (e) => (e.facility === 'sink-input' || TRACE) && events.push({ ...e, at: Date.now() }),
  onServer: () => undefined,
  pollMs: 20,
});
watch.start();
const mpvPid = async (z) =>
  (
    await probe.command(
      `${base}/${z}/commands`,
      `${base}/${z}/events`,
      { command: 'getMpvProperty', role: 'background', property: 'volume' },
      20_000,
    )
  ).result.pid;
async function streamOnSinkAt(zone, sink, from) {
  const pid = String(await mpvPid(zone));
  const sinkIndex = JSON.parse(pactl('-f', 'json', 'list', 'sinks')).find((x) => x.name === sink)?.index;
  const bridge = !GUARDED && zone !== 'both';
  const input = JSON.parse(pactl('-f', 'json', 'list', 'sink-inputs')).find(
    (i) =>
      (bridge ? i.properties['mpvisor.zone'] === zone : i.properties['application.process.id'] === pid) &&
      i.sink === sinkIndex,
  );
  // The stream's last event so far: one opened first on the holding sink and moved on counts from the move.
  const event = input && events.findLast((e) => e.facility === 'sink-input' && e.index === input.index && e.at >= from);
  return event ? event.at - from : null;
}
async function streamBackOn(zone, sink, from) {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(50)) {
    const ms = await streamOnSinkAt(zone, sink, from);
    if (ms !== null) return ms;
  }
  return null;
}
const heardAt = (r, freq, from) =>
  r
    .waitFor((c) => (c.tones[freq] ?? 0) > HEARD, 15_000, from)
    .then(
      (c) => c.at - from,
      () => null,
    );
if (LISTEN) {
  await heardAt(rec.room_a, TONE.a, Date.now());
  await heardAt(rec.room_b, TONE.b, Date.now());
  await heardAt(rec.room_c, TONE.both, Date.now());
} else await sleep(3000);

// One round's timeline, in ms from room_a's unload: what room_b heard of a, what the server reported,
// what the output guard did (its debug lines carry their own timestamps).
let logSeen = 0;
function traceRound(round, gone, back) {
  const rel = (t) => t - gone;
  const lines = [];
  for (const c of LISTEN ? rec.room_b.since(gone) : [])
    if (c.at <= back && (c.tones[TONE.a] ?? 0) >= SILENT)
      lines.push([c.at, `room_b hears a: ${c.tones[TONE.a].toFixed(3)}`]);
  for (const e of events)
    if (e.at >= gone && e.facility !== 'client') lines.push([e.at, `server: ${e.kind} ${e.facility} #${e.index}`]);
  const out = sup.output();
  for (const line of out.slice(logSeen).split('\n')) {
    if (!line.includes('output guard') && !line.includes('audio stream')) continue;
    try {
      const rec = JSON.parse(line);
      const { timestamp, level: _l, message, ...rest } = rec;
      lines.push([Date.parse(timestamp), `worker: ${message} ${JSON.stringify(rest)}`]);
    } catch {
      lines.push([gone, `log: ${line}`]);
    }
  }
  logSeen = out.length;
  lines.sort((x, y) => x[0] - y[0]);
  process.stdout.write(
    `--- round ${round + 1}: room_a unloaded at 0, loaded again at ${rel(back)} ms, load ${machine().loadavg?.join(' ')}\n`,
  );
  for (const [t, what] of lines) process.stdout.write(`  ${String(rel(t)).padStart(6)} ${what}\n`);
}

let missed = 0;
const keep = (list, ms) => {
  if (ms === null) missed++;
  else list.push(ms);
  return ms;
};
const outputBack = [];
const outputStream = [];
const serverStream = { a: [], b: [], both: [] };
const reattachMs = [];
const serverRecorderMs = [];
const leakMs = [];
const serverBack = { a: [], b: [], both: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const gone = Date.now();
    events.length = 0;
    await daemon.removeSink('room_a');
    await sleep(1500);
    const back = Date.now();
    await daemon.addSink('room_a');
    // The recorder goes onto the new monitor once a's stream is there: a 10 ms capture on a fresh null
    // sink's monitor before the stream arrives makes the sink hold the stream back ~2 s (see
    // supervisor/test/audio-outputs.scenarios.ts). It hears nothing until then: an upper bound.
    if (TRACE) traceRound(round, gone, back);
    const stream = keep(outputStream, await streamBackOn('a', 'room_a', back));
    let heard = null;
    if (LISTEN) {
      await rec.room_a.reattach();
      reattachMs.push(Date.now() - back);
      heard = keep(outputBack, await heardAt(rec.room_a, TONE.a, back));
      leakMs.push(
        rec.room_b.since(gone).filter((c) => c.at <= back && (c.tones[TONE.a] ?? 0) >= SILENT).length * WINDOW_MS,
      );
    }
    await sleep(500);

    await daemon.crash();
    // A new server numbers its streams from the start again.
    events.length = 0;
    await sleep(1000);
    await daemon.revive();
    const up = Date.now();
    worstCaseDefault();
    // Every recorder is a new parec after a server restart: its first window after `up` says when the
    // instrument could hear anything at all, which bounds how much of "heard" is the instrument's. Each
    // room sink is then a fresh null sink that rendered ~1-2 s ahead before the capture attached: the
    // capture gets nothing until real time catches up, and a stream arriving meanwhile can be rewound in
    // only by the 10 ms the capture asks for (a sound card's sink rewinds its whole buffer).
    const [a, b, both, ...recorders] = await (LISTEN
      ? Promise.all([
          heardAt(rec.room_a, TONE.a, up),
          heardAt(rec.room_b, TONE.b, up),
          heardAt(rec.room_c, TONE.both, up),
          ...Object.values(rec).map((r) =>
            r
              .waitFor(() => true, 15_000, up)
              .then(
                (c) => c.at - up,
                () => null,
              ),
          ),
        ])
      : [null, null, null]);
    if (LISTEN) {
      serverRecorderMs.push(Math.max(...recorders.map((ms) => ms ?? 15_000)));
      keep(serverBack.a, a);
      keep(serverBack.b, b);
      keep(serverBack.both, both);
    }
    // Without recorders nothing has waited yet: wait for each stream's event.
    const onSink = LISTEN ? streamOnSinkAt : streamBackOn;
    const streams = {
      a: keep(serverStream.a, await onSink('a', 'room_a', up)),
      b: keep(serverStream.b, await onSink('b', 'room_b', up)),
      both: keep(serverStream.both, await onSink('both', 'mpvisor_both', up)),
    };
    await sleep(1000);
    if (TRACE) process.stdout.write(`round ${round + 1}: the server answered again at ${new Date(up).toISOString()}\n`);
    if (!asJson)
      process.stdout.write(
        `round ${round + 1}: output back: stream ${stream} ms, heard ${heard} ms (leak ${leakMs.at(-1)} ms); server back: streams a ${streams.a} b ${streams.b} both ${streams.both} ms, heard a ${a} b ${b} both ${both} ms\n`,
      );
  }
} finally {
  watch.stop();
  await sup.stop();
  // With --trace the supervisor's whole debug log, to read beside each round's printed server return time.
  if (missed > 0 || TRACE) writeFileSync(LOG, sup.output());
  await Promise.all(Object.values(rec).map((r) => r.stop()));
  await probe.close();
  await broker.stop();
  await daemon.stop();
  dir.remove();
}

const result = {
  server: PIPEWIRE ? 'pipewire-pulse' : 'pulseaudio',
  zones_a_b: GUARDED ? 'guarded' : 'isolated',
  machine: machine(),
  rounds: ROUNDS,
  missed_figures: missed,
  output_return_to_stream_on_sink_ms: stats(outputStream),
  output_return_to_heard_ms: stats(outputBack),
  recorder_reattach_ms: stats(reattachMs),
  server_return_recorders_back_ms: stats(serverRecorderMs),
  leak_to_other_zone_ms: stats(leakMs),
  server_return_to_stream_on_sink_ms: {
    a: stats(serverStream.a),
    b: stats(serverStream.b),
    both: stats(serverStream.both),
  },
  server_return_to_heard_ms: { a: stats(serverBack.a), b: stats(serverBack.b), both: stats(serverBack.both) },
};
if (asJson) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const f = (s) => `p50 ${s.p50} ms, max ${s.max} ms`;
  process.stdout.write(
    `\n${result.server}, zones a and b ${result.zones_a_b}, ${ROUNDS} rounds, load ${result.machine.loadavg?.join(' ')}\n`,
  );
  process.stdout.write(`output back -> zone's stream on it: ${f(result.output_return_to_stream_on_sink_ms)}\n`);
  process.stdout.write(
    `server back -> streams on their sinks: a ${f(result.server_return_to_stream_on_sink_ms.a)}; b ${f(result.server_return_to_stream_on_sink_ms.b)}; both ${f(result.server_return_to_stream_on_sink_ms.both)}\n`,
  );
  if (LISTEN) {
    process.stdout.write(
      `output back -> heard:  ${f(result.output_return_to_heard_ms)} (the recorder itself back on the monitor after ${f(result.recorder_reattach_ms)})\n`,
    );
    process.stdout.write(`a's tone on b's sink:  ${f(result.leak_to_other_zone_ms)} (50 ms windows)\n`);
    process.stdout.write(
      `server back -> heard:  a ${f(result.server_return_to_heard_ms.a)}; b ${f(result.server_return_to_heard_ms.b)}; both ${f(result.server_return_to_heard_ms.both)} (the last recorder itself capturing again after ${f(result.server_return_recorders_back_ms)})\n`,
    );
  }
  if (missed > 0)
    process.stdout.write(
      `figures missing (not heard within 15 s, or no server event seen for the stream): ${missed} (supervisor log: ${LOG})\n`,
    );
}
