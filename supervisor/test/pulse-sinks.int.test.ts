import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import { holdSinkName, OWNER_PROPERTY, Pactl, type PulseSink } from '@mpvisor/pulse';
import {
  isAlive,
  MqttProbe,
  startMosquitto,
  startPulse,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
  type Mosquitto,
  type PulseDaemon,
  type SupervisorProcess,
} from '@mpvisor/testkit';

// A combined-audio zone on a private PulseAudio with two null sinks as slaves: the supervisor creates
// the combine sink (tagged with its installation id), audio reaches both slaves, resets rebuild it, and
// shutdown removes it. A combine sink the user loaded (no tag) survives all of it.

const rand = () => randomBytes(4).toString('hex');
const OUR_SINK = 'mpvisor_both';
const USER_SINK = 'user_combo';

describe('PulseAudio sinks we own', () => {
  const dir = tempDir('mpvps');
  const media = join(dir.path, 'media');
  const base = `mpvps${rand()}`;
  const children: ChildProcess[] = [];
  let pulse: PulseDaemon;
  let pactl: Pactl;
  let broker: Mosquitto;
  let probe: MqttProbe;
  let sup: SupervisorProcess;
  let userModule: number;

  const sys = { cmd: `${base}/system/commands`, events: `${base}/system/events` };
  const zoneCmd = (body: object, timeoutMs = 15_000) =>
    probe.command(`${base}/both/commands`, `${base}/both/events`, body, timeoutMs);
  const sysCmd = (body: object, timeoutMs = 40_000) => probe.command(sys.cmd, sys.events, body, timeoutMs);
  const prop = async (property: string) => {
    const r = await zoneCmd({ command: 'getMpvProperty', role: 'background', property });
    if (r.outcome !== 'success') throw new Error(`${property}: ${r.message}`);
    return r.result.value;
  };
  const sinks = () => pactl.listSinks();
  const byName = (list: PulseSink[], name: string) => list.find((s) => s.name === name);
  const tag = () => readFileSync(join(sup.stateDir, 'installation-id'), 'utf8').trim();
  const ready = (since: number) => probe.waitFor(`${base}/both/state`, (m) => m.json?.state === 'ready', 20_000, since);
  const audibleOnBoth = async () => {
    const a = await pulse.sinkRms('room_a', 1);
    const b = await pulse.sinkRms('room_b', 1);
    return { a, b };
  };

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    pulse = await startPulse({ dir: dir.path, sinks: ['room_a', 'room_b'] });
    pactl = new Pactl({ env: { ...process.env, ...pulse.env } });
    // The user's own combine sink over the same slaves, without our tag.
    userModule = Number(
      (
        await pactl.run(['load-module', 'module-combine-sink', `sink_name=${USER_SINK}`, 'slaves=room_a,room_b'])
      ).trim(),
    );
    broker = await startMosquitto({ dir: dir.path });
    probe = await MqttProbe.connect(broker.url);
    await probe.subscribe(`${base}/#`);
    const zone = [
      '[combined-audio:both]',
      `topic = ${base}/both`,
      'media_dir = .',
      'combined_sinks = pulse/room_a, pulse/room_b',
    ].join('\n');
    const since = Date.now();
    sup = startSupervisor({
      dir: dir.path,
      config: testConfig({ port: broker.port, mediaDir: media, zones: [], base, extra: zone }),
      env: pulse.env,
    });
    await ready(since);
  }, 40_000);

  afterAll(async () => {
    await sup?.stop();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await probe?.close();
    await broker?.stop();
    await pulse?.stop();
    dir.remove();
  }, 30_000);

  it('creates a tagged combine sink before the worker starts, records it, and audio reaches both slaves', async () => {
    const list = await sinks();
    const ours = byName(list, OUR_SINK)!;
    expect(ours).toBeDefined();
    expect(ours.properties[OWNER_PROPERTY]).toBe(tag());
    expect(ours.properties['mpvisor.zone']).toBe('both');
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    // Besides the combine sink: our silent holding sink (where a zone's streams wait while its output is gone).
    const hold = byName(list, holdSinkName(tag()))!;
    expect(hold.properties[OWNER_PROPERTY]).toBe(tag());
    expect(ledger.pulse_modules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ module_index: ours.owner_module, sink_name: OUR_SINK, tag: tag() }),
        expect.objectContaining({ module_index: hold.owner_module, sink_name: hold.name, tag: tag() }),
      ]),
    );
    expect(ledger.pulse_modules).toHaveLength(2);

    expect((await zoneCmd({ command: 'playBackground', file: 'tone-440.wav', loop: true })).outcome).toBe('success');
    expect(await prop('audio-device')).toBe(`pulse/${OUR_SINK}`);
    expect(await prop('current-ao')).toBe('pulse');
    const rms = await audibleOnBoth();
    console.log(`combined sink: RMS room_a ${rms.a.toFixed(3)}, room_b ${rms.b.toFixed(3)}`);
    expect(rms.a).toBeGreaterThan(0.01);
    expect(rms.b).toBeGreaterThan(0.01);
  }, 30_000);

  it('reset_audio moves a foreign stream off our sink, rebuilds the sink, resumes the music, and spares the user sink', async () => {
    // Someone else's stream on our sink: moved to its first slave before the unload, never killed.
    const foreign = spawn(
      'mpv',
      [
        '--no-config',
        '--ao=pulse',
        `--audio-device=pulse/${OUR_SINK}`,
        '--loop=inf',
        '--really-quiet',
        'av://lavfi:sine=frequency=880:duration=5',
      ],
      { stdio: 'ignore', env: { ...process.env, ...pulse.env } },
    );
    children.push(foreign);
    const inputOf = async () =>
      (await pactl.listSinkInputs()).find((i) => i.properties['application.process.id'] === String(foreign.pid));
    const oursBefore = byName(await sinks(), OUR_SINK)!;
    await waitFor(async () => (await inputOf())?.sink === oursBefore.index, 10_000, 'the foreign stream on our sink');

    const id = `audio-${rand()}`;
    const since = Date.now();
    const r = await sysCmd({ command: 'reset_audio', zones: ['both'], id });
    expect(r).toMatchObject({ outcome: 'success', command: 'reset_audio' });
    const done = probe.messages
      .filter((m) => m.topic === sys.events && m.json?.type === 'system_reset_status' && m.json?.id === id)
      .map((m) => m.json);
    expect(done.map((s) => s.phase)).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    expect(done.at(-1).progress).toMatchObject({ sinks_unloaded: 1, devices_reinitialized: 1 });
    expect(r.result.sinks_unloaded).toEqual([OUR_SINK]);

    const list = await sinks();
    const ours = byName(list, OUR_SINK)!;
    expect(ours.properties[OWNER_PROPERTY]).toBe(tag());
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
    expect(isAlive(foreign.pid!)).toBe(true);
    expect((await inputOf())?.sink).toBe(byName(list, 'room_a')!.index);
    foreign.kill('SIGKILL');

    await ready(since);
    // preserve_state is on for reset_audio: the music comes back through the new sink.
    await probe.waitFor(
      `${base}/both/events`,
      (m) => m.json?.type === 'background' && m.json?.state === 'resumed',
      10_000,
      since,
    );
    expect(await prop('audio-device')).toBe(`pulse/${OUR_SINK}`);
    const rms = await audibleOnBoth();
    expect(rms.a).toBeGreaterThan(0.01);
    expect(rms.b).toBeGreaterThan(0.01);
  }, 40_000);

  it('a hard full reset and a restart rebuild our sink and leave the user sink alone', async () => {
    for (const body of [
      { command: 'reset', level: 'hard' },
      { command: 'restart', reason: 'test' },
    ]) {
      const since = Date.now();
      const r = await sysCmd(body);
      expect(r.outcome).toBe('success');
      expect(r.result.progress.sinks_unloaded).toBe(1);
      await ready(since);
      const list = await sinks();
      expect(byName(list, OUR_SINK)?.properties[OWNER_PROPERTY]).toBe(tag());
      expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
      expect(list.filter((s) => s.name === OUR_SINK)).toHaveLength(1);
    }
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    const recorded = ledger.pulse_modules.filter((m: { sink_name: string }) => m.sink_name === OUR_SINK);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].module_index).toBe(byName(await sinks(), OUR_SINK)!.owner_module);
  }, 60_000);

  it('a reload that takes the combined sinks away leaves no sink of ours behind; the user sink stays', async () => {
    const since = Date.now();
    // Not isolated either (isolate_output is on by default for a pulse device): no sink of the zone's own.
    const plain = [
      '[audio:both]',
      `topic = ${base}/both`,
      'media_dir = .',
      'audio_device = pulse/room_a',
      'isolate_output = false',
    ].join('\n');
    writeFileSync(
      join(dir.path, 'test.ini'),
      testConfig({ port: broker.port, mediaDir: media, zones: [], base, extra: plain }),
    );
    const r = await sysCmd({ command: 'reload_config' }, 45_000);
    expect(r).toMatchObject({ outcome: 'success', command: 'reload_config' });
    await ready(since);
    const list = await sinks();
    expect(byName(list, OUR_SINK)).toBeUndefined();
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    expect(ledger.pulse_modules.filter((m: { sink_name: string }) => m.sink_name === OUR_SINK)).toEqual([]);
    expect(await prop('audio-device')).toBe('pulse/room_a');
  }, 60_000);

  it('shutdown unloads our sink only', async () => {
    const ourTag = tag();
    await sup.stop();
    const list = await sinks();
    expect(list.filter((s) => s.properties[OWNER_PROPERTY] === ourTag)).toEqual([]);
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
    expect(byName(list, 'room_a')).toBeDefined();
    expect(byName(list, 'room_b')).toBeDefined();
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    expect(ledger.pulse_modules).toEqual([]);
    expect(sup.output()).toContain('combined sink unloaded');
  }, 30_000);
});

describe('a combined-audio zone without a PulseAudio server', () => {
  const dir = tempDir('mpvpn');
  const media = join(dir.path, 'media');
  const base = `mpvpn${rand()}`;
  let broker: Mosquitto;
  let probe: MqttProbe;
  let sup: SupervisorProcess;

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    broker = await startMosquitto({ dir: dir.path });
    probe = await MqttProbe.connect(broker.url);
    await probe.subscribe(`${base}/#`);
  }, 30_000);

  afterAll(async () => {
    await sup?.stop();
    await probe?.close();
    await broker?.stop();
    dir.remove();
  }, 30_000);

  it('falls back like any zone: a warning, the null output, nothing loaded', async () => {
    const zone = [
      '[combined-audio:both]',
      `topic = ${base}/both`,
      'media_dir = .',
      'combined_sinks = pulse/room_a, pulse/room_b',
    ].join('\n');
    const nowhere = join(dir.path, 'no-pulse', 'native');
    const since = Date.now();
    sup = startSupervisor({
      dir: dir.path,
      config: testConfig({ port: broker.port, mediaDir: media, zones: [], base, extra: zone }),
      env: { PULSE_SERVER: `unix:${nowhere}` },
    });
    await probe.waitFor(`${base}/both/state`, (m) => m.json?.state === 'ready', 20_000, since);
    await probe.waitFor(
      `${base}/both/warnings`,
      (m) => String(m.json?.message).includes('no PulseAudio server reachable'),
      5000,
      since,
    );
    const r = await probe.command(`${base}/both/commands`, `${base}/both/events`, {
      command: 'playBackground',
      file: 'tone-440.wav',
      loop: true,
    });
    expect(r.outcome).toBe('success');
    const ao = await probe.command(`${base}/both/commands`, `${base}/both/events`, {
      command: 'getMpvProperty',
      role: 'background',
      property: 'current-ao',
    });
    expect(ao.result.value).toBe('null');
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    expect(ledger.pulse_modules).toEqual([]);
    const reset = await probe.command(
      `${base}/system/commands`,
      `${base}/system/events`,
      { command: 'reset_audio' },
      30_000,
    );
    expect(['success', 'warning']).toContain(reset.outcome);
    expect(reset.result.progress.sinks_unloaded).toBe(0);
  }, 40_000);
});
