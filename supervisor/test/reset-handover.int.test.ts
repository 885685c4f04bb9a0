// A reset's hand-over to a warm spare, heard on a private PulseAudio sink: the spare loads the music
// paused while the old worker quits, and unpauses it as soon as the old worker has paused and muted its
// mpv (not once they have exited), never while an old stream still sounds, and where the music was; with
// nothing playing nothing is preloaded. The zone is isolated, as every zone on a pulse device is by default:
// the spare's mpv play to the zone's own sink, bridged to SINK, which a reset other than reset_audio keeps.
// Real supervisor, workers, mpv, PulseAudio and Mosquitto.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { combinedSinkName } from '@mpvisor/pulse';
import {
  pactlJson,
  sleep,
  startMonitorRecorder,
  startPulse,
  tempDir,
  waitFor,
  type MonitorRecorder,
  type PulseDaemon,
} from '@mpvisor/testkit';
import { circular, zoneHarness } from './zone-harness.js';

const SINK = 'room';
const TONE = 220;
const HEARD = 0.05;

/** One listing of the sink's background streams: which mpv (by pid) were playing, not corked. */
type Listing = { at: number; sounding: string[] };

describe('reset hand-over on a PulseAudio sink', () => {
  const pulseDir = tempDir('mpvhop');
  let pulse: PulseDaemon;
  let rec: MonitorRecorder;
  let h: Awaited<ReturnType<typeof zoneHarness>>;

  beforeAll(async () => {
    pulse = await startPulse({ dir: pulseDir.path, sinks: [SINK] });
    h = await zoneHarness(
      'mpvho',
      (port, media, base) =>
        [
          '[mqtt]',
          'broker = 127.0.0.1',
          `port = ${port}`,
          `base_topic = ${base}`,
          'device_name = test',
          `client_id = mpvisor-ho-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
          '[global]',
          'log_level = info',
          `media_base_path = ${media}`,
          'heartbeat_enabled = false',
          '[system:main]',
          'warm_spares = 1',
          'startup_timeout_ms = 30000',
          'heartbeat_timeout_ms = 5000',
          'max_restarts = 20',
          '[audio:solo]',
          `topic = ${base}/solo`,
          'media_dir = .',
          `audio_device = pulse/${SINK}`,
          'effects_pool_size = 0',
        ].join('\n'),
      { env: pulse.env },
    );
    rec = startMonitorRecorder({ env: pulse.env, sink: SINK, tones: [TONE] });
    await Promise.all([h.ready('solo', 0, 90_000), rec.ready(10_000)]);
    expect((await h.cmd('solo', { command: 'playBackground', file: 'tone-220.wav', loop: true })).outcome).toBe(
      'success',
    );
    await h.playing('solo', 30_000);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await rec?.stop();
    await pulse?.stop();
    pulseDir.remove();
  }, 30_000);

  /** The zone's background streams (the bridge's own stream to SINK always plays). */
  const backgroundStreams = async () =>
    (await pactlJson(pulse.env, 'sink-inputs')).filter((i) =>
      String((i.properties as Record<string, string> | undefined)?.['application.name'] ?? '').startsWith(
        'mpvisor-background',
      ),
    );

  /** Lists the zone's background streams until `stop` resolves. */
  async function watchStreams(stop: Promise<unknown>): Promise<Listing[]> {
    const listings: Listing[] = [];
    let done = false;
    void stop.finally(() => (done = true));
    while (!done) {
      const inputs = await pactlJson(pulse.env, 'sink-inputs').catch(() => []);
      const sounding = inputs.flatMap((i) => {
        const props = (i.properties ?? {}) as Record<string, string>;
        // An adopted spare's background is named mpvisor-background@mpvisor.<zone>.
        return (props['application.name'] ?? '').startsWith('mpvisor-background') && i.corked === false
          ? [props['application.process.id'] ?? '?']
          : [];
      });
      listings.push({ at: Date.now(), sounding });
    }
    return listings;
  }

  /** The supervisor's hand-over log lines (JSON lines), newest last. */
  const handOvers = () =>
    h.sup
      .output()
      .split('\n')
      .filter((l) => l.includes('reset hand-over'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { after: string; wait_ms: number });

  const readySpare = () =>
    waitFor(
      async () =>
        ((await h.sys({ command: 'status' })).result.spares as Array<{ pid: number; state: string }>).find(
          (x) => x.state === 'ready',
        ),
      30_000,
      'a ready spare',
      100,
    );

  async function reset(level: 'soft' | 'hard') {
    const spare = await readySpare();
    const before = await h.prop('solo', 'background', 'time-pos');
    const since = Date.now();
    const handed = handOvers().length;
    const outcome = h.cmd('solo', { command: 'reset', level, preserve_state: true }, 20_000);
    const listings = await watchStreams(outcome.then(() => sleep(500)));
    const r = await outcome;
    expect(r.outcome).toBe('success');
    const back = h.lifecycle('solo', since).find((e) => e.event === 'restarted' || e.event === 'started');
    expect(back).toMatchObject({ pid: spare.pid, via: 'spare' });
    // The spare's mpv ask the isolated zone's low latency of its sink, as the zone's own mpv would.
    const { pid: mpvPid } = await h.prop('solo', 'background', 'volume');
    expect(readFileSync(`/proc/${mpvPid}/environ`, 'utf8').split('\0')).toContain('PULSE_LATENCY_MSEC=60');
    // Never two background streams sounding at once: the room would hear the music twice.
    expect(listings.filter((l) => l.sounding.length > 1)).toEqual([]);
    expect(listings.some((l) => l.sounding.length === 1)).toBe(true);
    // The spare had the music loaded paused while the old worker quit: adopting it was an unpause.
    const started = await h.probe.waitFor(
      `${h.base}/solo/events`,
      (m) => m.json?.type === 'background' && m.json?.state === 'started',
      10_000,
      since,
    );
    expect(started.json.detail).toMatchObject({ preloaded: true, loop: true });
    await rec.waitFor((c) => (c.tones[TONE] ?? 0) > HEARD, 10_000, since);
    const after = await h.playing('solo', 30_000);
    expect(Math.abs(circular(after.value - (before.value + (Date.now() - since) / 1000)))).toBeLessThan(1.5);
    const log = handOvers();
    expect(log).toHaveLength(handed + 1);
    return log.at(-1)!;
  }

  it("an isolated zone's own mpv say whose they are and ask its sink for a low latency", async () => {
    const { pid } = await h.prop('solo', 'background', 'volume');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(env).toEqual(expect.arrayContaining(['PULSE_PROP=application.id=mpvisor.solo', 'PULSE_LATENCY_MSEC=60']));
  });

  it('soft, preserve_state: the spare plays once the old worker has paused and muted its mpv, never with it', async () => {
    // A supervisor busy enough (a loaded machine, its own log writes) may see the old mpv gone before it
    // reads the old worker's report: both are silence, but only the report shows the new mechanism.
    const seen: string[] = [];
    for (let i = 0; i < 3 && !seen.includes('old worker silenced its mpv'); i++) seen.push((await reset('soft')).after);
    expect(seen).toContain('old worker silenced its mpv');
  }, 150_000);

  it('hard, preserve_state: the old worker is killed, the spare plays once its mpv are gone, never with them', async () => {
    const handOver = await reset('hard');
    expect(handOver.after).not.toBe('old worker silenced its mpv');
  }, 90_000);

  /**
   * Once the sink has fallen silent (and its last windows are recorded): a soft reset with
   * preserve_state, handed to `spare`. Returns when it began and the sink's background streams meanwhile.
   */
  async function resetWhileSilent(spare: { pid: number }) {
    await waitFor(
      async () => (await backgroundStreams()).every((i) => i.corked !== false) || null,
      10_000,
      'the sink to fall silent',
      100,
    );
    await sleep(300);
    const since = Date.now();
    const outcome = h.cmd('solo', { command: 'reset', level: 'soft', preserve_state: true }, 20_000);
    const listings = await watchStreams(outcome.then(() => sleep(1000)));
    expect((await outcome).outcome).toBe('success');
    const back = h.lifecycle('solo', since).find((e) => e.event === 'restarted' || e.event === 'started');
    expect(back).toMatchObject({ pid: spare.pid, via: 'spare' });
    return { since, listings };
  }

  it('paused: nothing is preloaded, and the zone comes back paused on its own device, never heard', async () => {
    const spare = await readySpare();
    expect((await h.cmd('solo', { command: 'pauseBackground' })).outcome).toBe('success');
    const { since, listings } = await resetWhileSilent(spare);
    await waitFor(async () => (await h.state('solo')).background.status === 'paused', 10_000, 'paused again');
    // The zone is isolated (the default on a pulse device): its mpv play to its own sink, bridged to SINK.
    expect(await h.prop('solo', 'background', 'audio-device')).toMatchObject({
      value: `pulse/${combinedSinkName('solo')}`,
    });
    // Loaded paused, not loaded playing and then paused: the room never hears it in between.
    const started = await h.probe.waitFor(
      `${h.base}/solo/events`,
      (m) => m.json?.type === 'background' && m.json?.state === 'started',
      10_000,
      since,
    );
    expect(started.json.detail).toMatchObject({ paused: true, loop: true });
    expect(listings.filter((l) => l.sounding.length > 0)).toEqual([]);
    expect(rec.since(since).filter((c) => (c.tones[TONE] ?? 0) > HEARD)).toEqual([]);
  }, 90_000);

  it('nothing playing: nothing is preloaded, and the zone comes back silent', async () => {
    const spare = await readySpare();
    expect((await h.cmd('solo', { command: 'stopBackground' })).outcome).toBe('success');
    const { listings } = await resetWhileSilent(spare);
    expect(listings.filter((l) => l.sounding.length > 0)).toEqual([]);
    expect((await h.state('solo')).background.status).toBe('stopped');
    expect(await h.prop('solo', 'background', 'idle-active')).toMatchObject({ value: true });
  }, 90_000);

  it("kill -9 of the worker: the spare that takes the zone plays to the zone's own sink, heard on SINK again", async () => {
    const spare = await readySpare();
    expect((await h.cmd('solo', { command: 'playBackground', file: 'tone-220.wav', loop: true })).outcome).toBe(
      'success',
    );
    await h.playing('solo', 30_000);
    const { pid } = await h.state('solo');
    const since = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor(
      () => h.lifecycle('solo', since).find((e) => e.event === 'restarted') ?? null,
      30_000,
      'the zone restarted',
      100,
    );
    expect(h.lifecycle('solo', since).find((e) => e.event === 'restarted')).toMatchObject({
      pid: spare.pid,
      via: 'spare',
    });
    expect(await h.prop('solo', 'background', 'audio-device')).toMatchObject({
      value: `pulse/${combinedSinkName('solo')}`,
    });
    await rec.waitFor((c) => (c.tones[TONE] ?? 0) > HEARD, 10_000, since);
  }, 90_000);
});
