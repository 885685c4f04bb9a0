import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPulse, tempDir, type PulseDaemon } from '@mpvisor/testkit';
import { startHarness, zoneReady, type Harness } from './harness.js';

const B = 'mpvwp';
const SINK = 'zone_a';

describe('audio reaches the zone sink of a private PulseAudio', () => {
  const dir = tempDir('mpvpa');
  let pulse: PulseDaemon;
  let h: Harness;

  beforeAll(async () => {
    pulse = await startPulse({ dir: dir.path, sinks: [SINK, 'other'] });
    // The supervisor inherits PULSE_SERVER and hands it down to the worker and every mpv.
    const zone = [`[audio:pa]`, `topic = ${B}/pa`, 'media_dir = .', `audio_device = pulse/${SINK}`].join('\n');
    h = await startHarness({ base: B, zones: [], extra: zone, env: pulse.env });
    await zoneReady(h, B, 'pa');
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await pulse?.stop();
    dir.remove();
  }, 30_000);

  it('background is audible on zone_a.monitor while it plays and silent after stopAudio', async () => {
    expect((await h.cmd('pa', { command: 'playBackground', file: 'tone-440.wav', loop: true })).outcome).toBe(
      'success',
    );
    // current-ao exists only while an output is open: mpv itself says it plays through pulse.
    expect(await h.prop('pa', 'background', 'current-ao')).toBe('pulse');
    // Isolated, as a zone on a pulse device is by default: mpv plays to the zone's own sink, bridged to SINK.
    expect(await h.prop('pa', 'background', 'audio-device')).toBe('pulse/mpvisor_pa');
    const playing = await pulse.sinkRms(SINK, 1);
    expect(playing).toBeGreaterThan(0.01);
    expect(await pulse.sinkRms('other', 0.5)).toBeLessThan(0.01);
    expect((await h.cmd('pa', { command: 'stopAudio' })).outcome).toBe('success');
    expect(await pulse.sinkRms(SINK, 1)).toBeLessThan(0.01);
  }, 30_000);
});
