// Zones started while no audio server exists: they run on mpv's null output, stay ready and say
// audio_server_missing; when a server appears they move to their sinks by themselves, no command sent, and
// the isolated zone's next worker starts on the sink the supervisor made for it then.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  explainingAudio,
  missingPipewireBinaries,
  MqttProbe,
  pipewireClientEnv,
  pulseClientEnv,
  startMonitorRecorder,
  startMosquitto,
  startPipewirePulse,
  startPulse,
  startSupervisor,
  tempDir,
  testConfig,
  type MonitorRecorder,
  type Mosquitto,
  type PulseDaemon,
  type SupervisorProcess,
} from '@mpvisor/testkit';

const TONE = { a: 440, c: 660 } as const;
const HEARD = 0.05;
/** Generous (a shared machine); the speed of a server's return is measured by bench:audio-devices. */
const BACK_BOUND_MS = 20_000;

function lateServer(
  label: string,
  clientEnv: (dir: string) => Record<string, string>,
  start: (dir: string, sinks: string[]) => Promise<PulseDaemon>,
): void {
  const dir = tempDir('mpvlate');
  const media = join(dir.path, 'media');
  const base = `mpvlate${randomBytes(4).toString('hex')}`;
  let daemon: PulseDaemon | undefined;
  let broker: Mosquitto;
  let probe: MqttProbe;
  let sup: SupervisorProcess;
  const rec: MonitorRecorder[] = [];

  const cmd = (zone: string, body: object) =>
    probe.command(`${base}/${zone}/commands`, `${base}/${zone}/events`, body, 15_000);
  const zoneState = (zone: string, test: (s: any) => boolean, since: number, timeoutMs = 15_000) =>
    probe.waitFor(`${base}/${zone}/state`, (m) => test(m.json), timeoutMs, since).then((m) => m.json);

  // A failure prints the daemons' state, where the server has every stream, and the zones' audio log lines.
  const test = (name: string, body: () => Promise<void>, timeoutMs: number) =>
    it(name, () => explainingAudio(name, () => ({ daemon, log: sup?.output() }), body), timeoutMs);

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    for (const [zone, freq] of Object.entries(TONE))
      execFileSync(
        'sox',
        ['-n', '-r', '16000', '-c', '1', '-b', '16', join(media, `tone-${zone}.wav`), 'synth', '60'].concat([
          'sine',
          String(freq),
          'vol',
          '0.3',
        ]),
      );
    broker = await startMosquitto({ dir: dir.path });
    probe = await MqttProbe.connect(broker.url);
    await probe.subscribe(`${base}/#`);
    // Zone a owns room_a (isolated, the default); zone c follows the server's default sink (room_c once the server is there).
    const zones = [
      'warm_spares = 0',
      `[audio:a]`,
      `topic = ${base}/a`,
      'media_dir = .',
      'effects_pool_size = 0',
      'audio_device = pulse/room_a',
      `[audio:c]`,
      `topic = ${base}/c`,
      'media_dir = .',
      'effects_pool_size = 0',
    ].join('\n');
    const config = testConfig({ port: broker.port, mediaDir: media, zones: [], base, extra: zones }).replace(
      'startup_timeout_ms = 8000',
      'startup_timeout_ms = 30000',
    );
    const since = Date.now();
    sup = startSupervisor({ dir: dir.path, config, env: clientEnv(dir.path) });
    for (const z of Object.keys(TONE)) await zoneState(z, (s) => s?.state === 'ready', since, 60_000);
  }, 90_000);

  afterAll(async () => {
    await sup?.stop();
    await Promise.all(rec.map((r) => r.stop()));
    await probe?.close();
    await broker?.stop();
    await daemon?.stop();
    dir.remove();
  }, 30_000);

  test(`${label}: without a server the zones are ready on the null output, play, and say audio_server_missing`, async () => {
    const t = Date.now();
    for (const z of Object.keys(TONE))
      expect((await cmd(z, { command: 'playBackground', file: `tone-${z}.wav`, loop: true })).outcome).toBe('success');
    const a = await zoneState(
      'a',
      (s) => s?.state === 'ready' && s?.output?.problems?.includes('audio_server_missing'),
      t,
    );
    expect(a.audio_output).toBe('null');
    const c = await zoneState('c', (s) => s?.background?.status === 'playing', t);
    expect(c.audio_output).toBe('null');
  }, 30_000);

  test(`${label}: the server appears: each zone heard on its sink, no command sent`, async () => {
    daemon = await start(dir.path, ['room_a', 'room_b', 'room_c']);
    const up = Date.now();
    execFileSync('pactl', ['set-default-sink', 'room_c'], { env: { ...process.env, ...daemon.env } });
    const env = { ...process.env, ...daemon.env };
    const [onA, onB, onC] = ['room_a', 'room_b', 'room_c'].map((sink) =>
      startMonitorRecorder({ env, sink, tones: Object.values(TONE) }),
    );
    rec.push(onA!, onB!, onC!);
    const a = await onA!.waitFor((x) => (x.tones[TONE.a] ?? 0) > HEARD, BACK_BOUND_MS, up);
    const c = await onC!.waitFor((x) => (x.tones[TONE.c] ?? 0) > HEARD, BACK_BOUND_MS, up);
    console.log(`${label}: heard after the server appeared: a ${a.at - up} ms, c ${c.at - up} ms`);
    const s = await zoneState('a', (x) => x?.state === 'ready' && x?.output?.problems?.length === 0, up);
    // Isolated (the default on a pulse device): its sink made and bridged to room_a once the server came.
    expect(s.audio_output).toBe('pulse/mpvisor_a');
    expect(s.output.streams).toEqual(expect.arrayContaining([{ role: 'background', sink: 'mpvisor_a' }]));
    await zoneState('c', (x) => x?.audio_output === 'pulse', up);
    // Zone a never reached another room on its way to its own sink.
    expect(Math.max(0, ...onB!.since(up).map((x) => x.tones[TONE.a] ?? 0))).toBeLessThan(HEARD);
  }, 60_000);

  test(`${label}: a new worker of the isolated zone plays to the sink the supervisor made once the server came`, async () => {
    const before = await zoneState('a', (x) => x?.state === 'ready', 0);
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    await zoneState('a', (x) => x?.state === 'ready' && x?.pid !== before.pid, since, 30_000);
    const device = await cmd('a', { command: 'getMpvProperty', role: 'background', property: 'audio-device' });
    expect(device.result.value).toBe('pulse/mpvisor_a');
  }, 60_000);
}

describe('zones started before the audio server (PulseAudio)', () => {
  lateServer('pulseaudio', pulseClientEnv, (dir, sinks) => startPulse({ dir, sinks }));
});

const missing = missingPipewireBinaries();
(missing.length > 0 ? describe.skip : describe)('zones started before the audio server (PipeWire)', () => {
  lateServer('pipewire', pipewireClientEnv, (dir, sinks) => startPipewirePulse({ dir, sinks }));
});
