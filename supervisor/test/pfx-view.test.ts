import { describe, expect, it } from '@jest/globals';
import type { ZoneConfig } from '@mpvisor/config';
import type { MediaState } from '@mpvisor/protocol';
import { pfxCommandEvents, pfxMediaEvents } from '../src/pfx-events.js';
import { pfxView } from '../src/zones/pfx-state.js';

const zone = {
  name: 'mirror',
  kind: 'screen',
  section: 'screen:mirror',
  media_dir: '/nonexistent/media',
  max_volume: 150,
} as ZoneConfig;
const idle = { status: 'stopped' as const, file: null, next: null, queue_length: 0, queue: [], volume: 100 };
const media: MediaState = {
  background: {
    file: '/nonexistent/media/music.mp3',
    status: 'playing',
    volume: 80,
    effective_volume: 40,
    loop: true,
    position_s: 1,
  },
  speech: idle,
  effects: { active: 0, volume: 100 },
  video: {
    ...idle,
    file: '/nonexistent/media/clips/intro.mp4',
    status: 'playing',
    next: '/nonexistent/media/win.mp4',
    queue_length: 1,
    queue: ['/nonexistent/media/win.mp4'],
  },
  image: { file: '/nonexistent/media/black.png' },
  volume: 100,
  ducked: true,
  ducking_adjust: -50,
  screen_power: 'on',
  paused_all: false,
  audio_output: 'null',
};

describe("ParadoxFX's view of a zone", () => {
  it('state: status, isDucked, relative files with the absolute path beside, mpv_instances by role, browser off', () => {
    const v = pfxView(
      zone,
      media,
      [{ role: 'video', instance: 'mirror/video', pid: 42, alive: true, restarts: 0 }],
      'playVideo',
    );
    expect(v).toMatchObject({
      type: 'status',
      status: 'playing_video',
      isDucked: true,
      maxVolume: 150,
      lastCommand: 'playVideo',
      current_file: 'clips/intro.mp4',
      file: 'clips/intro.mp4',
      next: 'win.mp4',
      background: { file: 'music.mp3', path: '/nonexistent/media/music.mp3', volume: 80 },
      video: { file: 'clips/intro.mp4', queue: ['win.mp4'] },
      mpv_instances: {
        media: { status: 'playing', file: 'clips/intro.mp4', socket_path: null, pid: 42, alive: true },
        background: { status: 'playing', file: 'music.mp3' },
        speech: { status: 'idle' },
      },
      browser: { enabled: false, focused: false },
    });
    expect(pfxView(zone, { ...media, screen_power: 'off' }, [], null).status).toBe('screen_asleep');
    expect(
      pfxView(zone, { ...media, video: idle, background: { ...media.background, status: 'stopped' } }, [], null),
    ).toMatchObject({ status: 'showing_image', file: 'black.png' });
  });

  it('events: starts and completions from media events, in ParadoxFX shapes', () => {
    expect(
      pfxMediaEvents(zone, {
        type: 'background',
        state: 'started',
        file: '/nonexistent/media/music.mp3',
        detail: { volume: 30, loop: true },
      }),
    ).toEqual([{ background_music_started: true, file: 'music.mp3', volume: 30, loop: true }]);
    expect(pfxMediaEvents(zone, { type: 'speech', state: 'ended', file: '/nonexistent/media/a.wav' })).toEqual([
      { command: 'playSpeech', file: 'a.wav', done: true, message: 'Full file played' },
    ]);
    expect(pfxMediaEvents(zone, { type: 'video', state: 'skipped', file: '/nonexistent/media/v.mp4' })).toEqual([
      { command: 'playVideo', file: 'v.mp4', done: true, message: 'Skipped', reason: 'skipped' },
    ]);
    expect(pfxMediaEvents(zone, { type: 'volume', state: 'changed' })).toEqual([]);
  });

  it('events: from outcomes (invalid input, duck ids, queues, flags)', () => {
    const base = { message: 'm', parameters: {}, result: null, error_type: null };
    expect(pfxCommandEvents(zone, { ...base, command: null, outcome: 'invalid', error_type: 'invalid_json' })).toEqual([
      { command_received: 'unknown', valid: false, error: 'malformed_json', error_message: 'm' },
    ]);
    expect(
      pfxCommandEvents(zone, { ...base, command: 'duck', outcome: 'success', result: { duck_id: 'manual-1' } }),
    ).toEqual([{ ducked: true, ducking_triggered: true, duck_id: 'manual-1' }]);
    expect(
      pfxCommandEvents(zone, {
        ...base,
        command: 'videoQueue',
        outcome: 'success',
        result: { video_queue: ['/nonexistent/media/win.mp4'] },
      }),
    ).toEqual([{ video_queue: ['win.mp4'] }]);
    expect(pfxCommandEvents(zone, { ...base, command: 'sleepScreen', outcome: 'success' })).toEqual([
      { screen_sleep: true },
    ]);
    expect(
      pfxCommandEvents(zone, { ...base, command: 'sleepScreen', outcome: 'failed', error_type: 'no_display' }),
    ).toEqual([]);
  });
});
