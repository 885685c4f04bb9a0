import { afterEach, describe, expect, it } from '@jest/globals';
import { MpvSlot } from '../src/mpv-slot.js';
import { Reporter } from '../src/reporter.js';

// One MpvSlot over a real mpv: an output switch (the audio server appeared) that comes while the mpv is
// still starting reaches that mpv too, not only the mpv started after it.
describe('MpvSlot output switch', () => {
  let slot: MpvSlot | null = null;

  afterEach(async () => {
    await slot?.close(2000);
    slot = null;
  });

  it('an mpv starting during the switch ends up on the new output', async () => {
    slot = new MpvSlot({
      role: 'effect-0',
      instance: 'test/effect-0',
      mpvPath: 'mpv',
      audio: { ao: 'null' },
      extraArgs: [],
      video: false,
      env: process.env,
      reporter: new Reporter('error'),
      onRestarted: async () => undefined,
    });
    const started = slot.start();
    await slot.switchAudio({ ao: 'null', device: 'pulse/room_a' }, 5000);
    await started;
    const client = await slot.ready();
    expect(await client.getProperty('audio-device')).toBe('pulse/room_a');
  }, 20_000);
});
