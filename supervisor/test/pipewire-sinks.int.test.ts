import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import { holdSinkName, OWNER_PROPERTY, Pactl, type PulseSink } from '@mpvisor/pulse';
import {
  isAlive,
  missingPipewireBinaries,
  MqttProbe,
  startMosquitto,
  startPipewirePulse,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
  type Mosquitto,
  type PulseDaemon,
  type SupervisorProcess,
} from '@mpvisor/testkit';

// The pulse-sinks scenarios against PipeWire 0.3 + pipewire-pulse + WirePlumber (what Raspberry Pi OS
// Bookworm desktops run) instead of PulseAudio: a combined-audio zone over two null sinks gets our
// tagged combine sink, audio reaches both slaves, reset_audio and restarts rebuild it, shutdown removes
// it, and a user's untagged combine sink survives all of it. PipeWire reuses module indexes at once and
// accepts duplicate sink names, so the tag (never the index or the name alone) must decide.
// Skipped only when the PipeWire programs are not installed; a daemon that fails to start fails the suite.

const missing = missingPipewireBinaries();
if (missing.length > 0)
  console.log(
    `pipewire-sinks: SKIPPED, not installed: ${missing.join(', ')} (apt-get install pipewire pipewire-pulse wireplumber)`,
  );
const suite = missing.length > 0 ? describe.skip : describe;

const rand = () => randomBytes(4).toString('hex');
const OUR_SINK = 'mpvisor_both';
const USER_SINK = 'user_combo';

suite('PipeWire (pipewire-pulse) sinks we own', () => {
  const dir = tempDir('mpvpw');
  const media = join(dir.path, 'media');
  const base = `mpvpw${rand()}`;
  const children: ChildProcess[] = [];
  let pw: PulseDaemon;
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
  // A stream needs a moment after a (re)link before its samples reach the monitors: poll briefly.
  const audibleOnBoth = () =>
    waitFor(
      async () => {
        const a = await pw.sinkRms('room_a', 1);
        const b = await pw.sinkRms('room_b', 1);
        return a > 0.01 && b > 0.01 ? { a, b } : null;
      },
      8000,
      'audio on both slave monitors',
      100,
    );

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    pw = await startPipewirePulse({ dir: dir.path, sinks: ['room_a', 'room_b'] });
    pactl = new Pactl({ env: { ...process.env, ...pw.env } });
    expect(await pactl.run(['info'])).toContain('PipeWire');
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
      env: pw.env,
    });
    await ready(since);
  }, 40_000);

  afterAll(async () => {
    await sup?.stop();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await probe?.close();
    await broker?.stop();
    await pw?.stop();
    dir.remove();
  }, 30_000);

  it('creates a tagged combine sink, records it, and audio reaches both slaves', async () => {
    const list = await sinks();
    const ours = byName(list, OUR_SINK)!;
    expect(ours).toBeDefined();
    expect(ours.driver).toBe('PipeWire');
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
    console.log(`pipewire combined sink: RMS room_a ${rms.a.toFixed(3)}, room_b ${rms.b.toFixed(3)}`);
  }, 30_000);

  it('reset_audio moves a foreign stream off our sink, rebuilds the sink, resumes the music, and spares the user sink', async () => {
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
      { stdio: 'ignore', env: { ...process.env, ...pw.env } },
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
    expect(list.filter((s) => s.name === OUR_SINK)).toHaveLength(1);
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
    expect(isAlive(foreign.pid!)).toBe(true);
    expect((await inputOf())?.sink).toBe(byName(list, 'room_a')!.index);
    foreign.kill('SIGKILL');

    await ready(since);
    await probe.waitFor(
      `${base}/both/events`,
      (m) => m.json?.type === 'background' && m.json?.state === 'resumed',
      10_000,
      since,
    );
    expect(await prop('audio-device')).toBe(`pulse/${OUR_SINK}`);
    await audibleOnBoth();
  }, 40_000);

  it('a hard full reset and a restart rebuild our sink (PipeWire hands back the freed module index) and leave the user sink alone', async () => {
    const indexes: number[] = [];
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
      indexes.push(byName(list, OUR_SINK)!.owner_module!);
    }
    console.log(`pipewire module indexes of our sink across rebuilds: ${indexes.join(', ')}`);
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    const recorded = ledger.pulse_modules.filter((m: { sink_name: string }) => m.sink_name === OUR_SINK);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].module_index).toBe(byName(await sinks(), OUR_SINK)!.owner_module);
  }, 60_000);

  it('shutdown unloads our sink only; a user module that then gets our old index is never taken for ours', async () => {
    const ourTag = tag();
    const oldIndexes = (await sinks())
      .filter((s) => s.properties[OWNER_PROPERTY] === ourTag)
      .map((s) => s.owner_module);
    await sup.stop();
    let list = await sinks();
    expect(byName(list, OUR_SINK)).toBeUndefined();
    expect(list.filter((s) => s.properties[OWNER_PROPERTY] === ourTag)).toEqual([]);
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
    expect(byName(list, 'room_a')).toBeDefined();
    expect(byName(list, 'room_b')).toBeDefined();
    const ledger = JSON.parse(readFileSync(join(sup.stateDir, 'ledger.json'), 'utf8'));
    expect(ledger.pulse_modules).toEqual([]);
    expect(sup.output()).toContain('combined sink unloaded');

    // PipeWire gives the next module the lowest free index: one of our old ones. Even under our old sink name,
    // an untagged sink is left alone by a stale record (module index + name) and by a full sweep.
    const reused = Number((await pactl.run(['load-module', 'module-null-sink', `sink_name=${OUR_SINK}`])).trim());
    expect(oldIndexes).toContain(reused);
    expect(await pactl.unloadOurSinks(ourTag, { moduleIndex: reused, name: OUR_SINK })).toEqual({
      unloaded: [],
      errors: [],
    });
    expect(await pactl.unloadOurSinks(ourTag)).toEqual({ unloaded: [], errors: [] });
    list = await sinks();
    expect(byName(list, OUR_SINK)?.owner_module).toBe(reused);
    expect(byName(list, USER_SINK)?.owner_module).toBe(userModule);
  }, 30_000);
});
