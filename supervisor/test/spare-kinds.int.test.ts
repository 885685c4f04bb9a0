import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, repoRoot, testIni, waitFor } from '@mpvisor/testkit';
import { zoneHarness } from './zone-harness.js';

// Warm spares of other kinds than a plain audio zone, with real processes: a screen zone (video mpv on
// the null output) and an audio zone with mpv_audio_options each get a spare started with what their
// mpv need; an idle spare that hangs is found by its missing heartbeats.

const AUDIO_BUFFER = 0.35;
const SCREEN_ZONE = {
  kind: 'screen',
  name: 'hall',
  keys: ['default_image = still.png', 'mpv_video_options = --vo=null', 'effects_pool_size = 0'],
};
const TUNED_ZONE = {
  kind: 'audio',
  name: 'tuned',
  keys: [`mpv_audio_options = --audio-buffer=${AUDIO_BUFFER}`, 'effects_pool_size = 0'],
};

/** The config, once the screen's still image and test video are in the media folder (the zone shows the image at start). */
function withScreenMedia(port: number, media: string, base: string): string {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'make-demo-media.mjs'), media], { stdio: 'ignore' });
  return ini(port, media, base);
}

function ini(port: number, media: string, base: string, zones = [SCREEN_ZONE, TUNED_ZONE]): string {
  return testIni({
    port,
    base,
    media,
    logLevel: 'info',
    global: ['heartbeat_enabled = false'],
    system: [
      'warm_spares = 1',
      // Generous bounds: these tests are about what the supervisor does, on a machine shared with other suites.
      'startup_timeout_ms = 30000',
      'heartbeat_timeout_ms = 1500',
      'restart_backoff_initial_ms = 100',
      'stable_after_ms = 500',
      'max_restarts = 20',
    ],
    zones,
  });
}

interface SpareInfo {
  pid: number;
  state: 'starting' | 'ready';
  kind: string;
  zones: string[];
  mpv_pids: number[];
}

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe('warm spares for screen zones and zones with mpv_audio_options', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;
  const spares = async (): Promise<SpareInfo[]> => (await h.sys({ command: 'status' })).result.spares;
  /** The ready spare of a kind, other than `except`. */
  const readySpare = (kind: string, except = 0) =>
    waitFor(
      async () => (await spares()).find((s) => s.kind === kind && s.state === 'ready' && s.pid !== except) ?? null,
      30_000,
      `a ready ${kind} spare`,
      100,
    );
  const mpvOf = async (zone: string, role: string) => (await h.prop(zone, role, 'idle-active')).pid;

  beforeAll(async () => {
    h = await zoneHarness('mpvk', withScreenMedia);
    await h.ready('hall', 0, 60_000);
    await h.ready('tuned', 0, 60_000);
  }, 90_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('boots one spare per kind, each started with the options of its zones (a video mpv without a window)', async () => {
    const screen = await readySpare('screen');
    const audio = await readySpare('audio');
    expect(screen.zones).toEqual(['hall']);
    expect(audio.zones).toEqual(['tuned']);
    // background, speech (+ video): a spare runs no effect voices.
    expect(screen.mpv_pids).toHaveLength(3);
    expect(audio.mpv_pids).toHaveLength(2);
    for (const pid of audio.mpv_pids) expect(cmdline(pid)).toContain(`--audio-buffer=${AUDIO_BUFFER}`);
    const video = screen.mpv_pids.map(cmdline).find((args) => args.includes('--vo=null'));
    if (!video) throw new Error('no video mpv in the screen spare');
    expect(video).toContain('--fullscreen');
    // The zone's own --force-window=yes, overridden by a later one (mpv takes the last): no window until adopted.
    expect(video.lastIndexOf('--force-window=no')).toBeGreaterThan(video.lastIndexOf('--force-window=yes'));
  }, 60_000);

  it('kill -9 of the screen zone: its spare adopts it, shows the default image, opens its window and plays video', async () => {
    const spare = await readySpare('screen');
    const before = await h.state('hall');
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const restarted = await h.waitLifecycle('hall', 'restarted', since, 30_000);
    expect(restarted).toMatchObject({ pid: spare.pid, via: 'spare' });
    const still = join(h.media, 'still.png');
    await waitFor(async () => (await h.prop('hall', 'video', 'path')).value === still, 10_000, 'the default image');
    const video = await h.prop('hall', 'video', 'force-window');
    // mpv answers a yes/no choice as a JSON boolean.
    expect(video.value).toBe(true);
    expect(spare.mpv_pids).toContain(video.pid);
    expect((await h.cmd('hall', { command: 'playVideo', file: 'testcard.mkv' })).outcome).toBe('success');
    expect((await h.prop('hall', 'video', 'path')).value).toBe(join(h.media, 'testcard.mkv'));
    expect(isAlive(before.pid)).toBe(false);
    await readySpare('screen', spare.pid);
  }, 60_000);

  it('a soft reset of the screen zone hands it the next screen spare', async () => {
    const spare = await readySpare('screen');
    const since = Date.now();
    const r = await h.cmd('hall', { command: 'reset', level: 'soft', preserve_state: true }, 30_000);
    expect(r.outcome).toBe('success');
    const back = h.lifecycle('hall', since).find((e) => e.event === 'restarted' || e.event === 'started');
    expect(back).toMatchObject({ pid: spare.pid, via: 'spare' });
    expect(spare.mpv_pids).toContain(await mpvOf('hall', 'video'));
  }, 60_000);

  it('kill -9 of the zone with mpv_audio_options: its spare adopts it; the option is on the adopted mpv', async () => {
    const spare = await readySpare('audio');
    await h.cmd('tuned', { command: 'playBackground', file: 'tone-220.wav', loop: true });
    await h.playing('tuned', 30_000);
    const before = await h.state('tuned');
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const restarted = await h.waitLifecycle('tuned', 'restarted', since, 30_000);
    expect(restarted).toMatchObject({ pid: spare.pid, via: 'spare' });
    const after = await h.playing('tuned', 30_000);
    expect(spare.mpv_pids).toContain(after.pid);
    for (const role of ['background', 'speech']) {
      const buffer = await h.prop('tuned', role, 'audio-buffer');
      expect(buffer.value).toBeCloseTo(AUDIO_BUFFER, 5);
      expect(spare.mpv_pids).toContain(buffer.pid);
    }
  }, 60_000);

  it('an idle spare that hangs (SIGSTOP) misses its heartbeats: it is killed and replaced, and never adopted', async () => {
    const hung = await readySpare('audio');
    process.kill(hung.pid, 'SIGSTOP');
    try {
      const next = await readySpare('audio', hung.pid);
      expect(isAlive(hung.pid)).toBe(false);
      expect(h.sup.output()).toMatch(/spare sent no heartbeat for 1500 ms; killing it/);
      const before = await h.state('tuned');
      const since = Date.now();
      process.kill(before.pid, 'SIGKILL');
      const restarted = await h.waitLifecycle('tuned', 'restarted', since, 30_000);
      expect(restarted).toMatchObject({ pid: next.pid, via: 'spare' });
    } finally {
      if (isAlive(hung.pid)) process.kill(hung.pid, 'SIGCONT');
    }
  }, 60_000);

  it("a config reload brings the kinds up to date: a removed kind's spare stops, a new kind's spare boots", async () => {
    const screen = await readySpare('screen');
    const extra = {
      kind: 'audio',
      name: 'extra',
      keys: ['mpv_audio_options = --audio-buffer=0.25', 'effects_pool_size = 0'],
    };
    writeFileSync(join(h.dir.path, 'test.ini'), ini(h.broker.port, h.media, h.base, [TUNED_ZONE, extra]));
    const r = await h.sys({ command: 'reload_config' }, 60_000);
    expect(r.result).toMatchObject({ added: ['extra'], removed: ['hall'] });
    const fresh = await readySpare('audio-2');
    expect(fresh.zones).toEqual(['extra']);
    for (const pid of fresh.mpv_pids) expect(cmdline(pid)).toContain('--audio-buffer=0.25');
    await waitFor(() => !isAlive(screen.pid), 10_000, 'the screen spare to stop');
    expect((await spares()).map((s) => s.kind).sort()).toEqual(['audio', 'audio-2']);
  }, 90_000);
});
