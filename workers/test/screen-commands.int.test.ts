import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@mpvisor/testkit';
import { startHarness, zoneReady, type Harness } from './harness.js';

const B = 'mpvws';
const Z = 'wall';

// A screen zone on the null video output: mpv decodes and times the video exactly as on a display.
const SCREEN = [
  `[screen:${Z}]`,
  `topic = ${B}/${Z}`,
  'media_dir = .',
  'default_image = still.png',
  'mpv_video_options = --vo=null',
  'video_queue_max = 2',
  'ducking_adjust = -40',
].join('\n');

describe('screen zone commands against real mpv', () => {
  let h: Harness;
  const prop = (role: string, p: string) => h.prop(Z, role, p);
  const cmd = (body: object) => h.cmd(Z, body);
  const file = (name: string) => join(h.media, name);

  beforeAll(async () => {
    h = await startHarness({ base: B, zones: [], extra: SCREEN });
    for (const n of ['clip-a.mkv', 'clip-b.mkv', 'clip-c.mkv'])
      copyFileSync(join(h.media, 'testcard.mkv'), join(h.media, n));
    await zoneReady(h, B, Z);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('shows the default image at start, and setImage replaces it', async () => {
    await waitFor(async () => (await prop('video', 'path')) === file('still.png'), 5000, 'the default image');
    expect((await cmd({ command: 'setImage', file: 'still.png' })).result).toEqual({
      file: file('still.png'),
      shown: true,
    });
    expect(await prop('video', 'idle-active')).toBe(false);
  }, 20_000);

  it('plays, queues (bounded: a full queue drops its oldest), pauses, resumes, skips and clears videos; ducks background; image returns at the end', async () => {
    await cmd({ command: 'playBackground', file: 'tone-220.wav', loop: true });
    expect(await prop('background', 'volume')).toBe(100);
    expect((await cmd({ command: 'playVideo', file: 'testcard.mkv' })).outcome).toBe('success');
    expect(await prop('video', 'path')).toBe(file('testcard.mkv'));
    expect(await prop('background', 'volume')).toBe(60);
    expect((await cmd({ command: 'playVideo', file: 'clip-a.mkv' })).result).toEqual({ position: 1 });
    expect((await cmd({ command: 'playVideo', file: 'clip-b.mkv' })).result).toEqual({ position: 2 });
    expect(await cmd({ command: 'playVideo', file: 'clip-c.mkv' })).toMatchObject({
      outcome: 'warning',
      warning_type: 'queue_full',
      result: { position: 2, dropped: file('clip-a.mkv') },
    });
    expect((await cmd({ command: 'videoQueue' })).result).toEqual({
      current: file('testcard.mkv'),
      video_queue: [file('clip-b.mkv'), file('clip-c.mkv')],
      queue_length: 2,
    });
    await cmd({ command: 'pauseVideo' });
    expect(await prop('video', 'pause')).toBe(true);
    await cmd({ command: 'resumeVideo' });
    expect(await prop('video', 'pause')).toBe(false);
    await cmd({ command: 'skip' });
    expect(await prop('video', 'path')).toBe(file('clip-b.mkv'));
    expect((await cmd({ command: 'clearQueue' })).result).toEqual({ dropped: 1 });
    const state = (await cmd({ command: 'getState' })).result;
    expect(state).toMatchObject({
      video: { file: 'clip-b.mkv', path: file('clip-b.mkv'), status: 'playing', queue_length: 0 },
      image: { file: 'still.png', path: file('still.png') },
      ducked: true,
    });
    const since = Date.now();
    await h.probe.waitFor(h.events(Z), (m) => m.json?.type === 'video' && m.json?.state === 'ended', 8000, since);
    await waitFor(async () => (await prop('video', 'path')) === file('still.png'), 3000, 'the image after the video');
    expect(await prop('background', 'volume')).toBe(100);
  }, 30_000);

  it('stopVideo with a fade stops the video, releases the duck and shows the image; pauseAll covers video', async () => {
    await cmd({ command: 'playVideo', file: 'testcard.mkv' });
    const paused = await cmd({ command: 'pauseAll' });
    expect(paused.result.paused).toEqual(['background', 'video']);
    expect(await prop('video', 'pause')).toBe(true);
    await cmd({ command: 'resumeAll' });
    expect(await prop('video', 'pause')).toBe(false);
    const t0 = Date.now();
    expect((await cmd({ command: 'stopVideo', fadeTime: 0.3 })).outcome).toBe('success');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await prop('video', 'path')).toBe(file('still.png'));
    expect(await prop('background', 'volume')).toBe(100);
    expect((await cmd({ command: 'getState' })).result).toMatchObject({ video: { status: 'stopped' }, ducked: false });
  }, 20_000);

  it('a missing video fails naming the file', async () => {
    const r = await cmd({ command: 'playVideo', file: 'nope.mkv' });
    expect(r).toMatchObject({ outcome: 'failed', error_type: 'file_not_found' });
    expect(r.message).toContain('nope.mkv');
  });
});
