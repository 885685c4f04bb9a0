import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { startPulse, tempDir, waitFor, type PulseDaemon } from '@mpvisor/testkit';
import { startHarness, type Harness } from './harness.js';
import { pfxMedia, verifyImage } from './pfx-client.js';

// Written from ParadoxFX's docs/MQTT_API.md, test-new-commands.js, mqtt_test.sh and PxO's src/adapters/pfx.js:
// the payloads are theirs, the effects are read from mpv itself (getMpvProperty) and from a private PulseAudio.
const B = 'pfxc';
const ZONES = [
  [
    '[audio:audio]',
    `topic = ${B}/audio`,
    'media_dir = .',
    'audio_device = pulse/room_a',
    'ducking_adjust = -50',
    'effects_pool_size = 1',
  ],
  [
    '[screen:mirror]',
    `topic = ${B}/mirror`,
    'media_dir = .',
    'audio_device = pulse/room_b',
    'mpv_video_options = --vo=null',
    'default_image = still.png',
    'ducking_adjust = -50',
    'video_queue_max = 2',
    'effects_pool_size = 1',
  ],
  [
    '[audio:dual]',
    `topic = ${B}/dual`,
    'media_dir = .',
    'dual_output_mode = true',
    'primary_device = pulse/dual_a',
    'secondary_device = pulse/dual_b',
    'effects_pool_size = 0',
  ],
].map((z) => z.join('\n'));

describe('ParadoxFX drop-in: commands, outcomes, events, state and heartbeat as ParadoxFX controllers read them', () => {
  const dir = tempDir('pfxc');
  let pulse: PulseDaemon;
  let h: Harness;
  const cmd = (zone: string, body: object) => h.cmd(zone, body, 20_000);
  const prop = (zone: string, role: string, p: string) => h.prop(zone, role, p);
  const since = () => Date.now();
  const event = (zone: string, after: number, pred: (j: any) => boolean, timeoutMs = 10_000) =>
    h.probe.waitFor(h.events(zone), (m) => pred(m.json), timeoutMs, after).then((m) => m.json);
  const lastState = (zone: string) => h.probe.waitFor(`${B}/${zone}/state`).then((m) => m.json);

  beforeAll(async () => {
    pulse = await startPulse({ dir: dir.path, sinks: ['room_a', 'room_b', 'dual_a', 'dual_b'] });
    // Three zones start at once on a shared machine: a longer start-up bound than the test default, no spare.
    h = await startHarness({
      base: B,
      zones: [],
      extra: [
        'startup_timeout_ms = 30000',
        'heartbeat_timeout_ms = 10000',
        'warm_spares = 0',
        'allow_host_commands = false',
        ...ZONES,
      ].join('\n'),
      env: pulse.env,
    });
    pfxMedia(h.media);
    await Promise.all(
      ['audio', 'mirror', 'dual'].map((z) =>
        h.probe.waitFor(`${B}/${z}/state`, (m) => m.json?.state === 'ready', 45_000),
      ),
    );
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await pulse?.stop();
    dir.remove();
  }, 30_000);

  it('accepts every command and alias PxO sends and ParadoxFX handles, with its argument names', async () => {
    const rows: Array<[string, object]> = [
      ['audio', { command: 'playBackground', file: 'music.mp3', loop: true, volume: 30 }],
      ['audio', { command: 'playBackground', file: 'music.mp3', loop: true, volumeAdjust: -10 }],
      ['audio', { command: 'playBackground', audio: 'music.mp3', skip_ducking: true, loop: true }],
      ['audio', { command: 'pauseBackground' }],
      ['audio', { command: 'resumeBackground' }],
      ['audio', { command: 'playSpeech', file: 'speech-1.wav', ducking: 70 }],
      ['audio', { command: 'pauseSpeech' }],
      ['audio', { command: 'resumeSpeech' }],
      ['audio', { command: 'skipSpeech' }],
      ['audio', { command: 'playAudioFX', file: 'hint.mp3', volumeAdjust: 5 }],
      ['audio', { command: 'playSoundEffect', audio: 'chime.wav', volume: 80 }],
      ['audio', { command: 'playEffect', file: 'chime.wav' }],
      ['audio', { command: 'setZoneVolume', volume: 90 }],
      ['audio', { command: 'setVolume', volume: 100 }],
      ['audio', { command: 'setVolume', type: 'speech', volume: 100 }],
      ['audio', { command: 'setVolume', volumes: { background: 100, effects: 100 } }],
      ['audio', { command: 'setDuckingAdjustment', adjustValue: -50 }],
      ['audio', { command: 'duck' }],
      ['audio', { command: 'unduck' }],
      ['audio', { command: 'clearSpeechQueue' }],
      ['audio', { command: 'stopSpeech', fadeTime: 0.1 }],
      ['audio', { command: 'stopBackground', fadeTime: 0.1 }],
      ['audio', { command: 'stopAudio' }],
      ['audio', { command: 'stopAll' }],
      ['audio', { command: 'getStatus' }],
      ['audio', { Command: 'getState' }],
      ['mirror', { command: 'setImage', file: 'black_screen.png' }],
      ['mirror', { command: 'setImage', image: '/black_screen.png' }],
      ['mirror', { command: 'playVideo', file: 'intro_short.mp4', volumeAdjust: -20 }],
      ['mirror', { command: 'videoQueue' }],
      ['mirror', { command: 'speechQueue' }],
      ['mirror', { command: 'stopVideo' }],
      ['mirror', { command: 'playVideo', video: 'win_mm.mp4', loop: true, channel: 'left' }],
      ['mirror', { command: 'stopVideo', fadeTime: 0.1 }],
      ['mirror', { command: 'playAudio', file: 'chime.wav', volume: 60 }],
      ['mirror', { command: 'playAudioFX', file: 'Cymbal_Strange.mp3', adjustVolume: 5 }],
      ['mirror', { command: 'pauseAll' }],
      ['mirror', { command: 'resumeAll' }],
      ['mirror', { command: 'setZoneVolume', volume: 100 }],
      ['mirror', { command: 'setVolume', type: 'video', volume: 100 }],
      ['mirror', { command: 'transition', video: 'win_mm.mp4', image: 'black_screen.png' }],
      ['mirror', { command: 'stopAll', fadeTime: 0.1 }],
      ['mirror', { command: 'getState' }],
    ];
    for (const [zone, body] of rows) {
      const o = await cmd(zone, body);
      expect({ body, outcome: o.outcome, message: o.message }).toEqual({
        body,
        outcome: expect.stringMatching(/^(success|warning)$/),
        message: expect.any(String),
      });
    }
  }, 120_000);

  it('volume family: setZoneVolume scales every role; setVolume {type} and {volumes} set base volumes; setDuckingAdjustment sets the duck', async () => {
    await cmd('audio', { command: 'playBackground', file: 'music.mp3', loop: true, volume: 80 });
    expect(await prop('audio', 'background', 'volume')).toBe(80);
    await cmd('audio', { command: 'setZoneVolume', volume: 50 });
    expect(await prop('audio', 'background', 'volume')).toBe(40);
    await cmd('audio', { command: 'setZoneVolume', volume: 100 });
    // Only the speech base changes: the background plays on at its level (mpvisor once changed the whole zone).
    expect((await cmd('audio', { command: 'setVolume', type: 'speech', volume: 40 })).outcome).toBe('success');
    expect(await prop('audio', 'background', 'volume')).toBe(80);
    await cmd('audio', { command: 'playSpeech', file: 'speech-1.wav', skipDucking: true });
    expect(await prop('audio', 'speech', 'volume')).toBe(40);
    const bulk = await cmd('audio', { command: 'setVolume', volumes: { background: 60, bogus: 10 } });
    expect(bulk).toMatchObject({
      outcome: 'warning',
      warning_type: 'partial_success',
      result: { volumes: { background: 60 }, invalid_types: ['bogus'] },
    });
    expect(await prop('audio', 'background', 'volume')).toBe(60);
    expect(await cmd('audio', { command: 'setVolume', volumes: { bogus: 10 } })).toMatchObject({ outcome: 'failed' });
    const clamped = await cmd('audio', { command: 'setDuckingAdjustment', adjustValue: 20 });
    expect(clamped).toMatchObject({
      outcome: 'warning',
      warning_type: 'clamp_ducking_adjust_high',
      result: { adjustValue: 0 },
    });
    await cmd('audio', { command: 'setDuckingAdjustment', adjustValue: -25 });
    const duck = await cmd('audio', { command: 'duck' });
    expect(duck.result.duck_id).toMatch(/^manual-/);
    expect(await prop('audio', 'background', 'volume')).toBe(45);
    await cmd('audio', { command: 'unduck', duck_id: duck.result.duck_id });
    expect(await prop('audio', 'background', 'volume')).toBe(60);
    await cmd('audio', { command: 'stopAll' });
  }, 60_000);

  it('ParadoxFX semantics: play once by default, loop on request, the ducking sign rule, skipDucking, clearSpeechQueue stops', async () => {
    await cmd('audio', { command: 'playBackground', file: 'music.mp3' });
    expect(await prop('audio', 'background', 'loop-file')).toBe(false);
    await cmd('audio', { command: 'playBackground', file: 'music.mp3', loop: true, volume: 100 });
    expect(await prop('audio', 'background', 'loop-file')).toBe('inf');
    // Positive ducking (ParadoxFX's test scripts send 30..70): plays, no duck.
    expect((await cmd('audio', { command: 'playSpeech', file: 'speech-1.wav', ducking: 70 })).outcome).toBe('success');
    expect(await prop('audio', 'speech', 'idle-active')).toBe(false);
    expect(await prop('audio', 'background', 'volume')).toBe(100);
    await cmd('audio', { command: 'stopSpeech' });
    await cmd('audio', { command: 'playSpeech', file: 'speech-1.wav', ducking: -40 });
    expect(await prop('audio', 'background', 'volume')).toBe(60);
    await cmd('audio', { command: 'playSpeech', file: 'chime.wav' });
    const cleared = await cmd('audio', { command: 'clearSpeechQueue' });
    expect(cleared).toMatchObject({ outcome: 'success', result: { dropped: 1 } });
    expect(await prop('audio', 'speech', 'idle-active')).toBe(true);
    expect(await prop('audio', 'background', 'volume')).toBe(100);
    // A background played with skipDucking is never ducked.
    await cmd('audio', { command: 'playBackground', file: 'music.mp3', loop: true, volume: 100, skipDucking: true });
    await cmd('audio', { command: 'playSpeech', file: 'speech-1.wav', ducking: -40 });
    expect(await prop('audio', 'background', 'volume')).toBe(100);
    await cmd('audio', { command: 'stopAll' });
    await cmd('mirror', { command: 'playVideo', file: 'win_mm.mp4', loop: true });
    expect(await prop('mirror', 'video', 'loop-file')).toBe('inf');
    await cmd('mirror', { command: 'stopVideo' });
  }, 60_000);

  it('setImage with a video shows its first frame, paused; a leading / stays inside the media folder', async () => {
    expect((await cmd('mirror', { command: 'setImage', file: 'intro_short.mp4' })).outcome).toBe('success');
    expect(await prop('mirror', 'video', 'path')).toBe(join(h.media, 'intro_short.mp4'));
    expect(await prop('mirror', 'video', 'pause')).toBe(true);
    expect((await cmd('mirror', { command: 'setImage', file: '/black_screen.png' })).outcome).toBe('success');
    expect(await prop('mirror', 'video', 'path')).toBe(join(h.media, 'black_screen.png'));
    expect(await cmd('mirror', { command: 'setImage', file: '/../../etc/hostname' })).toMatchObject({
      outcome: 'invalid',
      error_type: 'path_outside_media',
    });
    expect(await cmd('mirror', { command: 'setImage', file: '/etc/hostname' })).toMatchObject({
      outcome: 'failed',
      error_type: 'file_not_found',
    });
  }, 30_000);

  it('outcomes carry parameters, error_message and warning_type; every failed or warning outcome is also on /warnings', async () => {
    const t = since();
    const missing = await cmd('audio', { command: 'playSpeech', file: 'nope.wav', volume: 50 });
    expect(missing).toMatchObject({
      outcome: 'failed',
      error_type: 'file_not_found',
      parameters: { file: 'nope.wav', volume: 50 },
      error_message: expect.stringContaining('nope.wav'),
      warning_type: null,
    });
    const w = await h.probe.waitFor(`${B}/audio/warnings`, (m) => m.json?.id === missing.id, 5000, t);
    expect(w.json).toMatchObject({
      command: 'playSpeech',
      outcome: 'failed',
      error_type: 'file_not_found',
      parameters: { file: 'nope.wav' },
    });
    const clamp = await cmd('audio', { command: 'setDuckingAdjustment', adjustValue: 5 });
    expect((await h.probe.waitFor(`${B}/audio/warnings`, (m) => m.json?.id === clamp.id, 5000, t)).json).toMatchObject({
      outcome: 'warning',
      warning_type: 'clamp_ducking_adjust_high',
    });
    const host = await cmd('audio', { command: 'reboot' });
    expect(host).toMatchObject({
      outcome: 'failed',
      error_type: 'disabled',
      error_message: expect.stringContaining('allow_host_commands'),
    });
    for (const c of ['shutdown', 'killPfx'])
      expect(await cmd('mirror', { command: c })).toMatchObject({ outcome: 'failed', error_type: 'disabled' });
    const ok = await cmd('audio', { command: 'getState' });
    expect(ok).toMatchObject({ outcome: 'success', parameters: {}, error_message: null, warning_type: null });
  }, 30_000);

  it("publishes ParadoxFX's events beside mpvisor's", async () => {
    let t = since();
    await cmd('audio', { command: 'playBackground', file: 'chime.wav', volume: 70 });
    expect(await event('audio', t, (j) => j?.background_music_started === true)).toMatchObject({
      file: 'chime.wav',
      volume: 70,
      loop: false,
      zone: 'audio',
    });
    expect(await event('audio', t, (j) => j?.command === 'playBackground' && j?.done === true)).toMatchObject({
      file: 'chime.wav',
      message: 'Full file played',
    });
    t = since();
    await cmd('audio', { command: 'playSpeech', file: 'chime.wav', ducking: -30 });
    expect(await event('audio', t, (j) => j?.command_received === 'playSpeech')).toMatchObject({
      file: 'chime.wav',
      ducking: -30,
    });
    expect(await event('audio', t, (j) => j?.command === 'playSpeech' && j?.done === true)).toMatchObject({
      file: 'chime.wav',
    });
    t = since();
    await cmd('audio', { command: 'playAudioFX', file: 'hint.mp3' });
    expect(await event('audio', t, (j) => 'sound_effect_played' in (j ?? {}))).toMatchObject({
      sound_effect_played: 'hint.mp3',
    });
    t = since();
    const duck = await cmd('audio', { command: 'duck' });
    expect(await event('audio', t, (j) => j?.ducked === true)).toMatchObject({
      duck_id: duck.result.duck_id,
      ducking_triggered: true,
    });
    await cmd('audio', { command: 'unduck' });
    expect(await event('audio', t, (j) => j?.unducked_all_manual === true)).toBeTruthy();
    t = since();
    await cmd('audio', { command: 'playBackground', file: 'music.mp3', loop: true });
    await cmd('audio', { command: 'playSpeech', file: 'speech-1.wav' });
    await cmd('audio', { command: 'playSpeech', file: 'chime.wav' });
    await cmd('audio', { command: 'speechQueue' });
    expect(await event('audio', t, (j) => Array.isArray(j?.speech_queue))).toMatchObject({
      speech_queue: ['chime.wav'],
    });
    await cmd('audio', { command: 'stopAll' });
    expect(await event('audio', t, (j) => j?.all_media_stopped === true)).toBeTruthy();
    t = since();
    await cmd('mirror', { command: 'playVideo', file: 'intro_short.mp4' });
    await cmd('mirror', { command: 'playVideo', file: 'win_mm.mp4' });
    expect(await event('mirror', t, (j) => j?.command === 'playVideo' && j?.started === true)).toMatchObject({
      file: 'intro_short.mp4',
      media_type: 'video',
    });
    await cmd('mirror', { command: 'videoQueue' });
    expect(await event('mirror', t, (j) => Array.isArray(j?.video_queue))).toMatchObject({
      video_queue: ['win_mm.mp4'],
    });
    await cmd('mirror', { command: 'stopVideo' });
    expect(await event('mirror', t, (j) => j?.command === 'playVideo' && j?.done === true)).toMatchObject({
      file: 'intro_short.mp4',
      reason: 'stopped',
    });
    expect(await event('mirror', t, (j) => j?.command === 'setImage' && j?.started === true)).toMatchObject({
      file: 'black_screen.png',
      media_type: 'image',
    });
  }, 60_000);

  it("state has ParadoxFX's keys, and PxO's verifyImage passes against it", async () => {
    await cmd('mirror', { command: 'setImage', file: 'black_screen.png' });
    expect(await verifyImage(h.probe, `${B}/mirror`, 'black_screen.png')).toMatchObject({
      success: true,
      setImageAttempts: 0,
    });
    // PxO's Houdini game verifies a video given as the resting image.
    expect(await verifyImage(h.probe, `${B}/mirror`, 'intro_short.mp4')).toMatchObject({ success: true });
    await cmd('mirror', { command: 'setImage', file: 'black_screen.png' });
    await cmd('mirror', { command: 'setVolume', type: 'video', volume: 90 });
    await cmd('mirror', { command: 'playBackground', file: 'music.mp3', loop: true });
    await cmd('mirror', { command: 'playVideo', file: 'intro_short.mp4', ducking: -50 });
    await cmd('mirror', { command: 'playVideo', file: 'win_mm.mp4' });
    await cmd('mirror', { command: 'getState' });
    const s = await waitFor(
      async () => {
        const st = await lastState('mirror');
        return st.status === 'playing_video' && st.lastCommand === 'getState' ? st : undefined;
      },
      5000,
      'the mirror state after getState',
    );
    expect(s).toMatchObject({
      type: 'status',
      zone_type: 'screen',
      status: 'playing_video',
      isDucked: true,
      maxVolume: 150,
      lastCommand: 'getState',
      current_file: 'intro_short.mp4',
      file: 'intro_short.mp4',
      next: 'win_mm.mp4',
      volume: 100,
      background: { status: 'playing', file: 'music.mp3', volume: 100 },
      video: {
        status: 'playing',
        file: 'intro_short.mp4',
        next: 'win_mm.mp4',
        queue_length: 1,
        volume: 90,
        path: join(h.media, 'intro_short.mp4'),
      },
      effects: { volume: 100 },
      speech: { status: 'stopped', file: null, volume: 100 },
      mpv_instances: {
        media: { status: 'playing', file: 'intro_short.mp4', socket_path: null },
        background: { status: 'playing', file: 'music.mp3' },
        speech: { status: 'idle' },
      },
      browser: { enabled: false, url: null, focused: false, process_id: null, window_id: null },
    });
    expect(s.mpv_processes.map((m: { role: string }) => m.role)).toEqual(
      expect.arrayContaining(['background', 'speech', 'video']),
    );
    await cmd('mirror', { command: 'stopAll' });
    const audio = (await cmd('audio', { command: 'getState' })).result;
    expect(audio).toMatchObject({
      type: 'status',
      zone_type: 'audio',
      status: 'idle',
      isDucked: false,
      current_file: null,
    });
    expect(audio.browser).toBeUndefined();
  }, 60_000);

  it("heartbeat is ParadoxFX's: application pfx, zones keyed by section with status, focus, content", async () => {
    const t = since();
    await cmd('mirror', { command: 'setImage', file: 'black_screen.png' });
    const hb = await h.probe.waitFor(
      `${B}/heartbeat`,
      (m) => m.json?.zones?.['screen:mirror']?.content === 'black_screen.png',
      10_000,
      t,
    );
    expect(hb.json).toMatchObject({
      application: 'pfx',
      status: 'online',
      uptime: expect.any(Number),
      zones: {
        'screen:mirror': { status: 'showing_image', focus: 'mpv', browser_enabled: false },
        'audio:audio': { status: 'idle' },
        'audio:dual': { status: 'idle' },
      },
      zone_states: { mirror: 'ready', audio: 'ready', dual: 'ready' },
    });
  }, 20_000);

  it('dual_output_mode plays on both outputs (RMS on both sinks)', async () => {
    expect((await cmd('dual', { command: 'playBackground', file: 'tone-440.wav', loop: true })).outcome).toBe(
      'success',
    );
    // The three recordings at once: each monitor is its own stream.
    const [a, b, other] = await Promise.all([
      pulse.sinkRms('dual_a', 1),
      pulse.sinkRms('dual_b', 1),
      pulse.sinkRms('room_a', 0.5),
    ]);
    expect(a).toBeGreaterThan(0.01);
    expect(b).toBeGreaterThan(0.01);
    expect(other).toBeLessThan(0.01);
    await cmd('dual', { command: 'stopAll' });
  }, 30_000);

  it('playAudio on a screen zone sounds on its sink over the picture', async () => {
    expect((await cmd('mirror', { command: 'playAudio', file: 'music.mp3' })).outcome).toBe('success');
    expect(await pulse.sinkRms('room_b', 0.5)).toBeGreaterThan(0.01);
    await cmd('mirror', { command: 'stopAll' });
  }, 20_000);

  it('restartPfx restarts that zone alone: a new worker, the other zones untouched', async () => {
    const before = await lastState('audio');
    const other = await lastState('mirror');
    const t = since();
    expect((await cmd('audio', { command: 'restartPfx' })).outcome).toBe('success');
    const after = await h.probe.waitFor(
      `${B}/audio/state`,
      (m) => m.json?.state === 'ready' && m.json?.pid !== before.pid,
      45_000,
      t,
    );
    expect(after.json.pid).not.toBe(before.pid);
    expect((await lastState('mirror')).pid).toBe(other.pid);
    expect(await event('audio', t, (j) => j?.pfx_restart_initiated === true)).toBeTruthy();
  }, 70_000);

  it('no X or Wayland display: sleepScreen, wakeScreen and recoverScreens fail saying so', async () => {
    for (const c of ['sleepScreen', 'wakeScreen', 'recoverScreens']) {
      expect(await cmd('mirror', { command: c })).toMatchObject({ outcome: 'failed', error_type: 'no_display' });
    }
    expect(await cmd('audio', { command: 'sleepScreen' })).toMatchObject({
      outcome: 'invalid',
      error_type: 'not_supported',
    });
  }, 20_000);
});
