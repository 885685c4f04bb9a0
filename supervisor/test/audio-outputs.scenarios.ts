// Outputs that come and go, shared by the PulseAudio and the PipeWire suites: zones a and b guarded on
// their own null sinks (isolate_output = false), a combined-audio zone over two more, zone iso isolated (the
// default) on a fifth, each playing its own generated tone, one parec
// recorder per monitor measuring each tone's band-limited RMS continuously.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { holdSinkName, OWNER_PROPERTY, Pactl } from '@mpvisor/pulse';
import { errorMessage } from '@mpvisor/sys';
import {
  explainingAudio,
  MqttProbe,
  startMonitorRecorder,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
  type MonitorRecorder,
  type Mosquitto,
  type PulseDaemon,
  type SupervisorProcess,
} from '@mpvisor/testkit';

const TONE = { a: 440, b: 660, both: 550, iso: 770 } as const;
const TRACK_S = 120;
/**
 * A tone at 0.3 amplitude shows ~0.21 in its band, 10 ms of it in a 50 ms window ~0.04; digital silence
 * is 0, and the clicks of another zone's underruns (a loaded machine) reach ~0.01 in any band.
 */
const HEARD = 0.05;
const SILENT = 0.02;
const SINKS = ['room_a', 'room_b', 'room_c', 'room_d', 'room_e'];
/** The recorders' analysis window, and how long a's tone may reach b's sink before the worker has moved it. */
const WINDOW_MS = 50;
const MAX_LEAK_MS = 1500;
/**
 * Generous bounds only (the machine running the tests is shared): the 2 s targets for music back after
 * an output's or the server's return are measured by scripts/bench-audio-devices.mjs (docs/benchmarks.md).
 */
const BACK_BOUND_MS = 20_000;
/** How long zone a's sink stays away. */
const GONE_MS = 6000;
/**
 * How far two zones' positions may drift apart over an outage. mpv's position on a PulseAudio null sink
 * wanders on a loaded machine (the sink renders ahead, underruns): in fresh-clone CI runs zone a ended
 * 1.33 s ahead of zone b, zone b 1.1 s behind the isolated zone, and both 0.3-0.8 s ahead of the wall
 * clock. Music that waited for its sink lags by the whole outage (GONE_MS, ISOLATED_GONE_MS).
 */
const POSITION_SLACK_S = 2;
/** How long the isolated zone's device stays away: music that waited for it would lag by this much. */
const ISOLATED_GONE_MS = 4000;

export function audioOutputScenarios(
  label: string,
  start: (dir: string, sinks: string[]) => Promise<PulseDaemon>,
): void {
  const dir = tempDir('mpvout');
  const media = join(dir.path, 'media');
  const base = `mpvout${randomBytes(4).toString('hex')}`;
  let daemon: PulseDaemon;
  let pactl: Pactl;
  let broker: Mosquitto;
  let probe: MqttProbe;
  let sup: SupervisorProcess;
  const rec: Record<string, MonitorRecorder> = {};

  const cmd = (zone: string, body: object, timeoutMs = 15_000) =>
    probe.command(`${base}/${zone}/commands`, `${base}/${zone}/events`, body, timeoutMs);
  const zoneState = (zone: string, test: (s: any) => boolean, since: number, timeoutMs = 10_000) =>
    probe.waitFor(`${base}/${zone}/state`, (m) => test(m.json), timeoutMs, since).then((m) => m.json);
  const tag = () => readFileSync(join(sup.stateDir, 'installation-id'), 'utf8').trim();
  const ledgerSinks = () =>
    (
      JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8')).pulse_modules as Array<{
        sink_name: string;
        module_index: number;
      }>
    )
      .map((m) => [m.sink_name, m.module_index])
      .sort();
  const heard = (r: MonitorRecorder, freq: number, since: number, timeoutMs = 4000) =>
    r.waitFor((c) => (c.tones[freq] ?? 0) > HEARD, timeoutMs, since);
  const loudest = (r: MonitorRecorder, freq: number, since: number, until = Infinity) =>
    Math.max(
      0,
      ...r
        .since(since)
        .filter((c) => c.at <= until)
        .map((c) => c.tones[freq] ?? 0),
    );
  /**
   * The most a tone stood out on a sink beyond its sound's own clicks: each window's band RMS at `freq`
   * less the loudest band of tones that do not play there (an underrun's click lifts every band alike, a
   * leaked tone only its own; a loaded CI run's clicks reached 0.0192 in a silent band).
   */
  const standsOut = (r: MonitorRecorder, freq: number, quiet: number[], since: number) =>
    Math.max(0, ...r.since(since).map((c) => (c.tones[freq] ?? 0) - Math.max(0, ...quiet.map((f) => c.tones[f] ?? 0))));
  const position = async (zone: string) =>
    (await cmd(zone, { command: 'getMpvProperty', role: 'background', property: 'time-pos' })).result.value as number;

  // A failure prints where the server has every stream and capture, the daemons' state and the output
  // guard's last checks and moves: a flaky one is seen once in many runs, and its assertion alone does
  // not say which of them went wrong.
  const test = (name: string, body: () => Promise<void>, timeoutMs: number) =>
    it(name, () => explainingAudio(name, () => ({ daemon, log: sup?.output() }), body), timeoutMs);

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    for (const [zone, freq] of Object.entries(TONE))
      execFileSync('sox', [
        '-n',
        '-r',
        '16000',
        '-c',
        '1',
        '-b',
        '16',
        join(media, `tone-${zone}.wav`),
        'synth',
        String(TRACK_S),
        'sine',
        String(freq),
        'vol',
        '0.3',
      ]);
    daemon = await start(dir.path, SINKS);
    pactl = new Pactl({ env: { ...process.env, ...daemon.env } });
    // The worst case: zone a's stream is rescued to zone b's sink.
    await pactl.run(['set-default-sink', 'room_b']);
    for (const sink of SINKS)
      rec[sink] = startMonitorRecorder({ env: { ...process.env, ...daemon.env }, sink, tones: Object.values(TONE) });
    await Promise.all(Object.values(rec).map((r) => r.ready(10_000)));
    broker = await startMosquitto({ dir: dir.path });
    probe = await MqttProbe.connect(broker.url);
    await probe.subscribe(`${base}/#`);
    // Lean on a shared 2-core machine: no warm spare, no effect voices (nothing here plays effects).
    const zones = [
      'warm_spares = 0',
      ...['a', 'b'].flatMap((z) => [
        `[audio:${z}]`,
        `topic = ${base}/${z}`,
        'media_dir = .',
        'effects_pool_size = 0',
        `audio_device = pulse/room_${z}`,
        // Guarded zones, the opt-out: the output guard moves their streams (the tests of the leak bound).
        'isolate_output = false',
      ]),
      '[combined-audio:both]',
      `topic = ${base}/both`,
      'media_dir = .',
      'effects_pool_size = 0',
      'combined_sinks = pulse/room_c, pulse/room_d',
      '[audio:iso]',
      `topic = ${base}/iso`,
      'media_dir = .',
      'effects_pool_size = 0',
      // Isolated, as every zone on a pulse device is unless its config says otherwise.
      'audio_device = pulse/room_e',
    ].join('\n');
    const since = Date.now();
    // Four zones' mpv starting at once on a busy machine: a generous start-up bound.
    const config = testConfig({ port: broker.port, mediaDir: media, zones: [], base, extra: zones }).replace(
      'startup_timeout_ms = 8000',
      'startup_timeout_ms = 30000',
    );
    sup = startSupervisor({ dir: dir.path, config, env: daemon.env });
    try {
      for (const z of Object.keys(TONE)) await zoneState(z, (s) => s?.state === 'ready', since, 60_000);
    } catch (err) {
      console.log(
        sup
          .output()
          .split('\n')
          .filter((l) => !l.includes('"debug"'))
          .slice(-30)
          .join('\n'),
      );
      throw err;
    }
    for (const z of Object.keys(TONE)) {
      expect((await cmd(z, { command: 'playBackground', file: `tone-${z}.wav`, loop: true })).outcome).toBe('success');
    }
  }, 120_000);

  afterAll(async () => {
    await sup?.stop();
    await Promise.all(Object.values(rec).map((r) => r.stop()));
    await probe?.close();
    await broker?.stop();
    await daemon?.stop();
    dir.remove();
  }, 30_000);

  test(`${label}: each zone is heard on its own sinks only, and our holding sink is there, tagged and recorded`, async () => {
    const t = Date.now();
    await heard(rec.room_a!, TONE.a, t);
    await heard(rec.room_b!, TONE.b, t);
    await heard(rec.room_c!, TONE.both, t);
    await heard(rec.room_d!, TONE.both, t);
    await heard(rec.room_e!, TONE.iso, t);
    const since = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    expect(loudest(rec.room_b!, TONE.a, since)).toBeLessThan(SILENT);
    expect(loudest(rec.room_a!, TONE.b, since)).toBeLessThan(SILENT);
    const hold = (await pactl.listSinks()).find((s) => s.name === holdSinkName(tag()))!;
    expect(hold.properties[OWNER_PROPERTY]).toBe(tag());
    expect(ledgerSinks()).toEqual(expect.arrayContaining([[hold.name, hold.owner_module]]));
    const s = await zoneState('a', (x) => x?.output?.sink === 'room_a', 0);
    expect(s.output).toMatchObject({ server: true, present: true, problems: [] });
    // Each zone's streams carry its own application.id: what the server restores for a new stream
    // (mute, volume, target) is keyed by it, so one zone's muted stream never mutes another's next one.
    const ids = (await pactl.listSinkInputs()).flatMap((i) => i.properties['application.id'] ?? []);
    expect([...new Set(ids)].sort()).toEqual(['mpvisor.a', 'mpvisor.b', 'mpvisor.both', 'mpvisor.iso']);
    // The isolated zone plays to a sink of its own, bridged to room_e by a loopback that carries our tag.
    const iso = await zoneState('iso', (x) => x?.output?.sink === 'mpvisor_iso', 0);
    expect(iso.output).toMatchObject({ present: true, devices: [{ name: 'room_e', present: true }], problems: [] });
  }, 20_000);

  test(`${label}: zone a's output unloaded while it plays: none of a's tone on b's sink; back by itself near the right position`, async () => {
    // Zone b, untouched, is the control: on a loaded machine both clocks lag the wall clock alike.
    const before = { a: await position('a'), b: await position('b') };
    const gone = Date.now();
    await daemon.removeSink('room_a');
    // No capture of room_a's monitor until a's stream is back on it (reattach below): the recorder's own
    // restart or its pin to the monitor would otherwise reach the new sink first whenever the move back
    // takes a while, and hold the stream back ~2 s (the stall explained below).
    await rec.room_a!.detach();
    const missing = await zoneState('a', (s) => s?.output?.problems?.includes('output_missing'), gone);
    expect(missing.output.present).toBe(false);
    await probe.waitFor(`${base}/a/warnings`, (m) => /room_a/.test(m.json?.message ?? ''), 5000, gone);
    await probe.waitFor(
      `${base}/system/events`,
      (m) => m.json?.type === 'zone_output' && m.json?.zone === 'a' && m.json?.state === 'output_missing',
      5000,
      gone,
    );
    await zoneState('a', (s) => s?.state === 'degraded', gone, 5000);
    await new Promise((r) => setTimeout(r, GONE_MS));
    const leak = loudest(rec.room_b!, TONE.a, gone);
    const leaked = rec
      .room_b!.since(gone)
      .filter((c) => (c.tones[TONE.a] ?? 0) >= SILENT)
      .map((c) => `${c.at - gone}:${(c.tones[TONE.a] ?? 0).toFixed(3)}`);
    if (leaked.length > 0)
      console.log(`${label}: windows (ms after unload: band RMS) with a's tone on room_b: ${leaked.join(' ')}`);
    console.log(
      `${label}: zone a's tone on room_b while room_a was gone: max band RMS ${leak.toFixed(4)} over ${rec.room_b!.since(gone).length} windows`,
    );
    // The server moves a's stream to its default sink (b's) before anyone can react; the worker moves it
    // to our holding sink as soon as the server reports the removal. That gap is the figure that matters
    // (docs/benchmarks.md): nothing on an idle machine, a few hundred ms on a badly overloaded one.
    // Here: a bounded total (counted in windows: a loaded PipeWire delivers captures in late bursts),
    // where a's tone left on b would fill every window of GONE_MS and more.
    expect(leaked.length * WINDOW_MS).toBeLessThanOrEqual(MAX_LEAK_MS);
    expect(loudest(rec.room_b!, TONE.b, gone)).toBeGreaterThan(HEARD);

    const back = Date.now();
    await daemon.addSink('room_a');
    const ok = await zoneState(
      'a',
      (s) => s?.output?.problems?.length === 0 && s?.output?.streams?.some((x: any) => x.sink === 'room_a'),
      back,
      BACK_BOUND_MS,
    );
    // The recorder goes onto the new monitor only once a's stream is there. A fresh null sink renders
    // up to 2 s of silence ahead while nothing asks for a lower latency, and rewinds it when a stream
    // arrives; a 10 ms capture on its monitor first caps that rewind at 10 ms, so a stream moved in
    // then waits ~2 s before it is played (mpv reports an underrun; its position falls ~2 s behind).
    // That stall is PulseAudio's null sink meeting our instrument (a sound card's sink rewinds its whole
    // buffer), and it was the 1.75-1.87 s this test saw. The speed of the return is timed by the server's
    // own event in bench:audio-devices.
    await rec.room_a!.reattach();
    const first = await heard(rec.room_a!, TONE.a, back, BACK_BOUND_MS + 2000);
    console.log(
      `${label}: zone state said a's stream is on room_a after ${Date.parse(ok.timestamp) - back} ms; heard there after ${first.at - back} ms`,
    );
    expect(first.at - back).toBeLessThan(BACK_BOUND_MS);
    // Where the music would be had room_a never gone: it kept time on our holding sink meanwhile.
    const after = { a: await position('a'), b: await position('b') };
    const moved = { a: after.a - before.a, b: after.b - before.b };
    console.log(`${label}: meanwhile zone a moved on ${moved.a.toFixed(2)} s, zone b ${moved.b.toFixed(2)} s`);
    // Music that waited for its sink would lag by GONE_MS; streams are moved by the server, so the music
    // keeps its place (mpv reopening its output would lose ~0.5 s each time).
    expect(Math.abs(moved.a - moved.b)).toBeLessThan(POSITION_SLACK_S);
    await zoneState('a', (s) => s?.state === 'ready' && s?.output?.problems?.length === 0, back, BACK_BOUND_MS);
  }, 60_000);

  test(`${label}: the output of an isolated zone (isolate_output) unloaded while it plays: not one window of its tone on any other sink; back by itself near the right position`, async () => {
    const before = { iso: await position('iso'), b: await position('b'), at: Date.now() };
    const gone = Date.now();
    await daemon.removeSink('room_e');
    await rec.room_e!.detach();
    const missing = await zoneState('iso', (s) => s?.output?.problems?.includes('output_missing'), gone);
    expect(missing.output).toMatchObject({ present: false, devices: [{ name: 'room_e', present: false }] });
    expect(missing.output.reason).toMatch(/room_e is gone/);
    await probe.waitFor(`${base}/iso/warnings`, (m) => /room_e/.test(m.json?.message ?? ''), 5000, gone);
    await zoneState('iso', (s) => s?.state === 'degraded', gone, 5000);
    await new Promise((r) => setTimeout(r, ISOLATED_GONE_MS));
    // The server ends the bridge (a loopback that may not be moved) with room_e instead of rescuing its
    // stream: the zone's tone reaches no other sink at all, not even before the worker hears of it.
    const playsOn: Record<string, number> = { room_a: TONE.a, room_b: TONE.b, room_c: TONE.both, room_d: TONE.both };
    for (const other of SINKS.filter((n) => n !== 'room_e')) {
      const quiet = Object.values(TONE).filter((f) => f !== TONE.iso && f !== playsOn[other]);
      const leak = standsOut(rec[other]!, TONE.iso, quiet, gone);
      console.log(
        `${label}: the isolated zone's tone on ${other} while room_e was gone: max band RMS above its silent bands ${leak.toFixed(4)}`,
      );
      expect(leak).toBeLessThan(SILENT);
    }
    const back = Date.now();
    await daemon.addSink('room_e');
    // The supervisor bridges the zone's sink to room_e again; the recorder goes onto room_e's monitor once
    // the bridge is there (see the stall explained above).
    await zoneState('iso', (s) => s?.output?.present === true, back, BACK_BOUND_MS);
    await rec.room_e!.reattach();
    const first = await heard(rec.room_e!, TONE.iso, back, BACK_BOUND_MS + 2000);
    console.log(`${label}: the isolated zone heard on room_e again after ${first.at - back} ms`);
    // The zone kept time in its own sink meanwhile: music that waited for its device would lag by
    // ISOLATED_GONE_MS and more.
    const after = { iso: await position('iso'), b: await position('b'), at: Date.now() };
    const moved = { iso: after.iso - before.iso, b: after.b - before.b, wall: (after.at - before.at) / 1000 };
    console.log(
      `${label}: meanwhile the isolated zone moved on ${moved.iso.toFixed(2)} s, zone b ${moved.b.toFixed(2)} s, the wall clock ${moved.wall.toFixed(2)} s`,
    );
    expect(Math.abs(moved.iso - moved.b)).toBeLessThan(POSITION_SLACK_S);
    await zoneState('iso', (s) => s?.state === 'ready' && s?.output?.problems?.length === 0, back, BACK_BOUND_MS);
  }, 60_000);

  test(`${label}: a muted sink, a suspended sink and a stream moved away show in health_check and the zone state`, async () => {
    const health = async () => (await cmd('a', { command: 'health_check' })).result;
    for (const [problem, on, off] of [
      ['sink_muted', ['set-sink-mute', 'room_a', '1'], ['set-sink-mute', 'room_a', '0']],
      ['sink_suspended', ['suspend-sink', 'room_a', '1'], ['suspend-sink', 'room_a', '0']],
    ] as const) {
      const t = Date.now();
      await pactl.run([...on]);
      if (
        problem === 'sink_suspended' &&
        (await pactl.listSinks()).find((x) => x.name === 'room_a')?.state !== 'SUSPENDED'
      ) {
        // pipewire-pulse 0.3.65 accepts suspend-sink and keeps a sink in use RUNNING: nothing to report.
        console.log(`${label}: the server does not suspend a sink in use; suspended case not applicable`);
        await pactl.run([...off]);
        continue;
      }
      const s = await zoneState('a', (x) => x?.output?.problems?.includes(problem) && x?.state === 'degraded', t, 8000);
      expect(s.output.reason).toContain('room_a');
      const h = await health();
      expect(h.healthy).toBe(false);
      expect(h.output.problems).toContain(problem);
      await pactl.run([...off]);
      await zoneState('a', (x) => x?.output?.problems?.length === 0 && x?.state === 'ready', t, 8000);
    }
    // An isolated zone (the default) plays to a sink of its own: a mute of the device behind it silences it too.
    const m = Date.now();
    await pactl.run(['set-sink-mute', 'room_e', '1']);
    const iso = await zoneState(
      'iso',
      (x) => x?.output?.problems?.includes('sink_muted') && x?.state === 'degraded',
      m,
      8000,
    );
    expect(iso.output.reason).toContain('room_e');
    expect((await cmd('iso', { command: 'health_check' })).result.output.problems).toContain('sink_muted');
    await pactl.run(['set-sink-mute', 'room_e', '0']);
    await zoneState('iso', (x) => x?.output?.problems?.length === 0 && x?.state === 'ready', m, 8000);
    // A move by someone else right after one of the guard's own: the stream is parked on our holding sink,
    // the guard moves it back onto room_a, and at once someone moves it to room_c. That move is reported
    // and left alone, however soon it follows the guard's.
    const t = Date.now();
    const { pid } = (await cmd('a', { command: 'getMpvProperty', role: 'background', property: 'time-pos' })).result;
    const input = (await pactl.listSinkInputs()).find((i) => i.properties['application.process.id'] === String(pid))!;
    const sinkOf = async () => {
      const sinks = await pactl.listSinks();
      const on = (await pactl.listSinkInputs()).find((i) => i.index === input.index)?.sink;
      return sinks.find((x) => x.index === on)?.name;
    };
    // pipewire-pulse 0.3.65 acknowledges a move and now and then never makes it (seen here: the stream
    // stayed on room_a and the test waited for a stream_moved that could not come): someone moving a
    // stream by hand would look and move it again, and so does this test.
    const moveByHand = async (sink: string) => {
      for (let i = 0; i < 5 && (await sinkOf()) !== sink; i++) {
        await pactl.moveSinkInput(input.index, sink);
        await waitFor(async () => (await sinkOf()) === sink, 1000, `the move to ${sink}`, 50).catch(() => undefined);
      }
    };
    await pactl.moveSinkInput(input.index, holdSinkName(tag()));
    await waitFor(async () => (await sinkOf()) === 'room_a', 8000, "the guard to move a's stream back onto room_a", 10);
    await moveByHand('room_c');
    const s = await zoneState('a', (x) => x?.output?.problems?.includes('stream_moved'), t, 8000);
    expect(s.output.reason).toContain('room_c');
    expect((await health()).output.problems).toContain('stream_moved');
    expect(await sinkOf()).toBe('room_c');
    await moveByHand('room_a');
    await zoneState('a', (x) => x?.output?.problems?.length === 0, t, 8000);
  }, 40_000);

  // MPVISOR_TEST_SERVER_ROUNDS=N kills and restarts the server N times in a row (one test each), to
  // show the return holds run after run without paying for N start-ups.
  const rounds = Number(process.env.MPVISOR_TEST_SERVER_ROUNDS ?? '1');
  for (let round = 1; round <= rounds; round++)
    test(`${label}: the audio server killed and started again: every zone heard on its sinks again, no command sent; our sinks back, tagged and recorded${rounds > 1 ? ` (round ${round} of ${rounds})` : ''}`, async () => {
      const t = Date.now();
      await daemon.crash();
      for (const z of Object.keys(TONE)) {
        // No server is no fault of the zone: it stays ready (mpv alive, commands answered) and says why it is silent.
        await zoneState(
          z,
          (x) => x?.output?.problems?.includes('audio_server_missing') && x?.state === 'ready',
          t,
          10_000,
        );
      }
      await waitFor(() => ledgerSinks().length === 0, 5000, 'the ledger to forget the modules the server took');
      await new Promise((r) => setTimeout(r, 1000));
      await daemon.revive();
      const back = Date.now();
      await pactl.run(['set-default-sink', 'room_b']);
      const times: Record<string, number> = {};
      for (const [sink, freq] of [
        ['room_a', TONE.a],
        ['room_b', TONE.b],
        ['room_c', TONE.both],
        ['room_d', TONE.both],
        ['room_e', TONE.iso],
      ] as const) {
        times[sink] = (await heard(rec[sink]!, freq, back, BACK_BOUND_MS + 2000)).at - back;
      }
      console.log(`${label}: heard again after the server's return (ms): ${JSON.stringify(times)}`);
      for (const ms of Object.values(times)) expect(ms).toBeLessThan(BACK_BOUND_MS);
      const ours = (await pactl.listSinks()).filter((s) => s.properties[OWNER_PROPERTY] === tag());
      expect(ours.map((s) => s.name).sort()).toEqual([holdSinkName(tag()), 'mpvisor_both', 'mpvisor_iso'].sort());
      await waitFor(
        () => JSON.stringify(ledgerSinks()) === JSON.stringify(ours.map((s) => [s.name, s.owner_module]).sort()),
        5000,
        'the ledger to hold the new modules',
      );
      for (const z of Object.keys(TONE))
        await zoneState(z, (x) => x?.state === 'ready' && x?.output?.problems?.length === 0, back, 8000);
    }, 60_000);

  // MPVISOR_TEST_SLAVE_ROUNDS=N repeats this one N times: pipewire-pulse was once seen to die during it.
  // Its time limit exceeds its own waits together, so a failure prints its diagnosis before Jest gives up.
  const slaveRounds = Number(process.env.MPVISOR_TEST_SLAVE_ROUNDS ?? '1');
  for (let round = 1; round <= slaveRounds; round++)
    test(`${label}: a slave of the combined zone gone and back: the combine sink is re-created and heard on it again${slaveRounds > 1 ? ` (round ${round} of ${slaveRounds})` : ''}`, async () => {
      const t = Date.now();
      const recreated = () => sup.output().split('combined sink re-created').length - 1;
      const before = recreated();
      try {
        await daemon.removeSink('room_d');
        await new Promise((r) => setTimeout(r, 500));
        const back = Date.now();
        await daemon.addSink('room_d');
        await rec.room_d!.reattach();
        const first = await heard(rec.room_d!, TONE.both, back, BACK_BOUND_MS + 2000);
        console.log(`${label}: combined zone heard on its returned slave after ${first.at - back} ms`);
        // PulseAudio's combine sink takes a returning slave back by itself; ours is re-created all the same,
        // with every slave (PipeWire may hand it the same module index: the supervisor's log tells).
        await waitFor(() => recreated() > before, BACK_BOUND_MS, 'the combine sink re-created');
      } catch (err) {
        if (
          await pactl.run(['info']).then(
            () => true,
            () => false,
          )
        )
          throw err;
        // pipewire-pulse 0.3.65 itself dies now and then when a slave of a playing combine sink is
        // unloaded (SIGSEGV on its data thread: a core dump showed module-combine-stream's
        // pw_stream_trigger_process calling through a null pointer in audioconvert, after its "out of
        // playback buffers: Broken pipe" warnings; 2 runs in 10 here). Nothing of ours runs there, and
        // what mpvisor promises then is a server's return: it is started again and the combined zone
        // must be heard on its re-created combine sink, as in the server restart case.
        console.log(
          `${label}: the server died while room_d came and went (${errorMessage(err)}):\n${daemon.describe()}`,
        );
        await daemon.revive();
        const back = Date.now();
        await pactl.run(['set-default-sink', 'room_b']);
        await heard(rec.room_d!, TONE.both, back, BACK_BOUND_MS + 2000);
      }
      const ours = (await pactl.listSinks()).find((s) => s.name === 'mpvisor_both')!;
      expect(ours.properties[OWNER_PROPERTY]).toBe(tag());
      await waitFor(
        () => ledgerSinks().some(([n, i]) => n === 'mpvisor_both' && i === ours.owner_module),
        5000,
        'the ledger to record the new combine sink',
      );
      await heard(rec.room_c!, TONE.both, t, BACK_BOUND_MS);
    }, 120_000);

  test(`${label}: shutdown leaves no sink of ours`, async () => {
    const ourTag = tag();
    await sup.stop();
    const list = await pactl.listSinks();
    expect(list.filter((s) => s.properties[OWNER_PROPERTY] === ourTag)).toEqual([]);
    // The isolated zone's bridge ended with its sink.
    expect((await pactl.listSinkInputs()).filter((i) => i.properties[OWNER_PROPERTY] === ourTag)).toEqual([]);
    expect(SINKS.every((n) => list.some((s) => s.name === n))).toBe(true);
    expect(ledgerSinks()).toEqual([]);
  }, 30_000);
}
