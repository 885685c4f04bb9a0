import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { isAlive, sleep, waitFor } from '@mpvisor/testkit';
import { startHarness, zoneReady, type Harness } from './harness.js';

// Every assertion about playback reads mpv's own properties (getMpvProperty), not our state flags.
const B = 'mpvwa';
const Z = 'room';

describe('zone media commands against real mpv and Mosquitto', () => {
  let h: Harness;
  const prop = (role: string, p: string) => h.prop(Z, role, p);
  const cmd = (body: object) => h.cmd(Z, body);
  const eventAfter = (since: number, pred: (j: any) => boolean, timeoutMs = 15_000) =>
    h.probe.waitFor(h.events(Z), (m) => pred(m.json), timeoutMs, since);

  beforeAll(async () => {
    // ParadoxFX's default ducking_adjust is 0 (no audible duck); these tests check the duck at -40.
    h = await startHarness({
      base: B,
      zones: [],
      // Extra effect voices close 3 s after the last effect instead of 10: the effects test waits for that.
      extra: [
        `[audio:${Z}]`,
        `topic = ${B}/${Z}`,
        'media_dir = .',
        'ducking_adjust = -40',
        'effects_voice_idle_ms = 3000',
      ].join('\n'),
    });
    await zoneReady(h, B, Z);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('background: loop, volume, fadeIn, pause, resume, volume change, stop with fade', async () => {
    const play = await cmd({ command: 'playBackground', file: 'tone-220.wav', volume: 80, fadeIn: 0.5, loop: true });
    expect(play).toMatchObject({ outcome: 'success', result: { volume: 80, loop: true } });
    expect(await prop('background', 'loop-file')).toBe('inf');
    expect(await prop('background', 'path')).toBe(join(h.media, 'tone-220.wav'));
    await waitFor(async () => (await prop('background', 'volume')) === 80, 3000, 'fade-in to reach 80');
    expect(await cmd({ command: 'pauseBackground' })).toMatchObject({ outcome: 'success' });
    expect(await prop('background', 'pause')).toBe(true);
    const t1 = await prop('background', 'time-pos');
    await sleep(400);
    expect(await prop('background', 'time-pos')).toBeCloseTo(t1, 2);
    await cmd({ command: 'resumeBackground' });
    expect(await prop('background', 'pause')).toBe(false);
    await sleep(400);
    expect((await prop('background', 'time-pos')) - t1).toBeGreaterThan(0.2);
    await cmd({ command: 'setBackgroundMusicVolume', volume: 50 });
    expect(await prop('background', 'volume')).toBe(50);
    const started = Date.now();
    expect(await cmd({ command: 'stopBackground', fadeTime: 0.5 })).toMatchObject({ outcome: 'success' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await prop('background', 'idle-active')).toBe(true);
  }, 30_000);

  it('background without loop reports its end from mpv end-file', async () => {
    const since = Date.now();
    await cmd({ command: 'playBackground', file: 'chime.wav', loop: false });
    expect(await prop('background', 'loop-file')).toBe(false);
    const ended = await eventAfter(since, (j) => j?.type === 'background' && j?.state === 'ended', 5000);
    expect(ended.json.file).toBe(join(h.media, 'chime.wav'));
    expect(await prop('background', 'idle-active')).toBe(true);
  }, 20_000);

  it('a missing file fails naming it; a path outside the media folder is invalid', async () => {
    const missing = await cmd({ command: 'playSoundEffect', file: 'nope.wav' });
    expect(missing).toMatchObject({ outcome: 'failed', error_type: 'file_not_found' });
    expect(missing.message).toContain('nope.wav');
    expect(await cmd({ command: 'playSpeech', file: '../x.wav' })).toMatchObject({
      outcome: 'invalid',
      error_type: 'path_outside_media',
    });
  });

  it('speech: FIFO with de-dup, queue report, pause/resume, skip, clear, stop; ducking follows the queue', async () => {
    await cmd({ command: 'playBackground', file: 'tone-220.wav', volume: 100, loop: true });
    expect(await prop('background', 'volume')).toBe(100);
    const first = await cmd({ command: 'playSpeech', file: 'tone-440.wav' });
    expect(first.outcome).toBe('success');
    expect(await prop('speech', 'path')).toBe(join(h.media, 'tone-440.wav'));
    expect(await prop('background', 'volume')).toBe(60);
    expect((await cmd({ command: 'playSpeech', file: 'tone-440.wav' })).outcome).toBe('warning');
    expect((await cmd({ command: 'playSpeech', file: 'speech-1.wav' })).outcome).toBe('success');
    expect((await cmd({ command: 'playSpeech', file: 'speech-1.wav' })).outcome).toBe('warning');
    await cmd({ command: 'playSpeech', file: 'tone-330.wav' });
    const q = await cmd({ command: 'speechQueue' });
    expect(q.result).toEqual({
      current: join(h.media, 'tone-440.wav'),
      speech_queue: [join(h.media, 'speech-1.wav'), join(h.media, 'tone-330.wav')],
      queue_length: 2,
    });
    await cmd({ command: 'pauseSpeech' });
    expect(await prop('speech', 'pause')).toBe(true);
    await cmd({ command: 'resumeSpeech' });
    expect(await prop('speech', 'pause')).toBe(false);
    expect((await cmd({ command: 'skipSpeech' })).outcome).toBe('success');
    expect(await prop('speech', 'path')).toBe(join(h.media, 'speech-1.wav'));
    await cmd({ command: 'playSpeech', file: 'tone-330.wav' });
    // ParadoxFX's clearSpeechQueue stops the item playing too, and the duck goes with it.
    expect((await cmd({ command: 'clearSpeechQueue' })).result).toEqual({ dropped: 1 });
    expect(await prop('speech', 'idle-active')).toBe(true);
    expect(await prop('background', 'volume')).toBe(100);
    // An item played to its end: mpv's end-file empties the queue and the duck is released.
    await cmd({ command: 'playSpeech', file: 'speech-1.wav' });
    expect(await prop('background', 'volume')).toBe(60);
    const since = Date.now();
    await eventAfter(since, (j) => j?.type === 'speech' && j?.state === 'ended', 5000);
    await waitFor(async () => (await prop('background', 'volume')) === 100, 3000, 'background restored after speech');
    await cmd({ command: 'playSpeech', file: 'tone-440.wav' });
    expect(await prop('background', 'volume')).toBe(60);
    await cmd({ command: 'stopSpeech', fadeTime: 0.2 });
    expect(await prop('speech', 'idle-active')).toBe(true);
    expect(await prop('background', 'volume')).toBe(100);
    const state = (await cmd({ command: 'getState' })).result;
    expect(state).toMatchObject({
      ducked: false,
      speech: { status: 'stopped', queue_length: 0 },
      background: { status: 'playing', volume: 100 },
    });
  }, 40_000);

  it('restores the background when the speech mpv is killed with SIGKILL mid-file', async () => {
    expect(await prop('background', 'volume')).toBe(100);
    await cmd({ command: 'playSpeech', file: 'tone-440.wav' });
    expect(await prop('background', 'volume')).toBe(60);
    const pid = (await cmd({ command: 'getMpvProperty', role: 'speech', property: 'time-pos' })).result.pid as number;
    const since = Date.now();
    process.kill(pid, 'SIGKILL');
    await eventAfter(
      since,
      (j) => j?.type === 'speech' && j?.state === 'failed' && j?.detail?.reason === 'mpv crashed',
      10_000,
    );
    await waitFor(
      async () => (await prop('background', 'volume')) === 100,
      5000,
      'background restored after the speech mpv died',
    );
    expect(isAlive(pid)).toBe(false);
    const newPid = (await cmd({ command: 'getMpvProperty', role: 'speech', property: 'idle-active' })).result;
    expect(newPid.value).toBe(true);
    expect(newPid.pid).not.toBe(pid);
  }, 30_000);

  it('volume model: zone volume scales roles, max_volume clamps, independent ducks, volume over adjustVolume', async () => {
    await cmd({ command: 'setVolume', volume: 50 });
    expect(await prop('background', 'volume')).toBe(50);
    await cmd({ command: 'setVolume', volume: 200 });
    expect(await prop('background', 'volume')).toBe(150);
    await cmd({ command: 'setVolume', volume: 100 });
    await cmd({ command: 'duck', duck_id: 'a', amount: -20 });
    expect(await prop('background', 'volume')).toBe(80);
    const strong = await cmd({ command: 'duck', duck_id: 'b', amount: -50 });
    expect(strong.result).toMatchObject({ duck_percent: -50, background: 50 });
    expect(await prop('background', 'volume')).toBe(50);
    await cmd({ command: 'unduck', duck_id: 'b' });
    expect(await prop('background', 'volume')).toBe(80);
    await cmd({ command: 'duck', duck_id: 'c' });
    expect(await prop('background', 'volume')).toBe(60);
    const all = await cmd({ command: 'unduck' });
    expect(all.result).toMatchObject({ released: 2, duck_percent: 0 });
    expect(await prop('background', 'volume')).toBe(100);
    expect((await cmd({ command: 'unduck', duck_id: 'gone' })).outcome).toBe('warning');
    const both = await cmd({ command: 'playSoundEffect', file: 'chime.wav', volume: 30, adjustVolume: -50 });
    expect(both).toMatchObject({ outcome: 'warning', result: { volume: 30 } });
    const adjusted = await cmd({ command: 'playSoundEffect', file: 'chime.wav', adjustVolume: -50 });
    expect(adjusted.result.volume).toBe(50);
  }, 30_000);

  it('effects: warm pool plays polyphonically, grows under a burst, keeps the extra voice while a burst may return, shrinks back when idle', async () => {
    await cmd({ command: 'stopAll' });
    const mpvPid = async (role: string) =>
      (await cmd({ command: 'getMpvProperty', role, property: 'pause' })).result.pid as number;
    const a = await cmd({ command: 'playSoundEffect', file: 'tone-330.wav' });
    const b = await cmd({ command: 'playAudioFX', file: 'tone-440.wav' });
    expect([a.result.voice, b.result.voice].sort()).toEqual(['effect-0', 'effect-1']);
    expect(await prop('effect-0', 'idle-active')).toBe(false);
    expect(await prop('effect-1', 'idle-active')).toBe(false);
    const c = await cmd({ command: 'playEffect', file: 'tone-220.wav' });
    expect(c.result).toMatchObject({ voice: 'effect-2', active: 3 });
    expect(await prop('effect-2', 'path')).toBe(join(h.media, 'tone-220.wav'));
    expect((await cmd({ command: 'getState' })).result.effects.active).toBe(3);
    const extraPid = await mpvPid('effect-2');
    const stopped = await cmd({ command: 'stopAllEffects' });
    expect(stopped.result).toEqual({ stopped: 3 });
    expect(await prop('effect-0', 'idle-active')).toBe(true);
    expect(await prop('effect-1', 'idle-active')).toBe(true);
    // A burst that comes back soon finds the extra voice still running: no new mpv.
    const again = await Promise.all(
      ['tone-330.wav', 'tone-440.wav', 'tone-220.wav'].map((file) => cmd({ command: 'playSoundEffect', file })),
    );
    expect(again.map((r) => r.result.voice).sort()).toEqual(['effect-0', 'effect-1', 'effect-2']);
    expect(await mpvPid('effect-2')).toBe(extraPid);
    expect((await cmd({ command: 'stopAllEffects' })).result).toEqual({ stopped: 3 });
    // Idle for effects_voice_idle_ms, the pool shrinks back to effects_pool_size; its own voices stay.
    const pool = [await mpvPid('effect-0'), await mpvPid('effect-1')];
    await waitFor(() => !isAlive(extraPid), 15_000, 'the extra effect mpv to close once idle', 200);
    expect((await cmd({ command: 'getMpvProperty', role: 'effect-2', property: 'path' })).outcome).toBe('invalid');
    expect(pool.every(isAlive)).toBe(true);
    const since = Date.now();
    await cmd({ command: 'playSoundEffect', file: 'chime.wav' });
    const ended = await eventAfter(since, (j) => j?.type === 'effect' && j?.state === 'ended', 5000);
    expect(ended.json.file).toBe(join(h.media, 'chime.wav'));
    expect((await cmd({ command: 'getState' })).result.effects.active).toBe(0);
  }, 60_000);

  it('pauseAll pauses every role in mpv, resumeAll resumes them, stopAll with fade stops them all', async () => {
    await cmd({ command: 'playBackground', file: 'tone-220.wav', loop: true });
    await cmd({ command: 'playSpeech', file: 'tone-440.wav' });
    const fx = await cmd({ command: 'playSoundEffect', file: 'tone-330.wav' });
    const voice = fx.result.voice as string;
    const paused = await cmd({ command: 'pauseAll' });
    expect(paused.result.paused).toEqual(['background', 'speech', 'effects']);
    for (const role of ['background', 'speech', voice]) expect(await prop(role, 'pause')).toBe(true);
    expect((await cmd({ command: 'getState' })).result.paused_all).toBe(true);
    await cmd({ command: 'resumeAll' });
    for (const role of ['background', 'speech', voice]) expect(await prop(role, 'pause')).toBe(false);
    const t0 = Date.now();
    await cmd({ command: 'stopAll', fadeTime: 0.3 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    for (const role of ['background', 'speech', voice]) expect(await prop(role, 'idle-active')).toBe(true);
    const state = (await cmd({ command: 'getState' })).result;
    expect(state).toMatchObject({
      ducked: false,
      paused_all: false,
      effects: { active: 0 },
      background: { status: 'stopped' },
      speech: { status: 'stopped' },
    });
  }, 30_000);
});
