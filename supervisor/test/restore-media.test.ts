// What a worker resumes after its predecessor crashed: the background position moved on from the last
// heartbeat's sample to the crash, wrapped on a looping track, never past the end of a track that ends.
import { describe, expect, it } from '@jest/globals';
import { mediaStateSchema, type MediaState } from '@mpvisor/protocol';
import { resumeAfterCrash } from '../src/zones/restore-media.js';

function media(background: Partial<MediaState['background']>): MediaState {
  return mediaStateSchema.parse({
    background: {
      file: '/media/tone.wav',
      status: 'playing',
      volume: 80,
      effective_volume: 80,
      loop: false,
      position_s: 4,
      ...background,
    },
    speech: { file: null, status: 'stopped', next: null, queue_length: 0, queue: [], volume: 100 },
    effects: { active: 0, volume: 100 },
    volume: 90,
    ducked: false,
    ducking_adjust: 0,
    paused_all: false,
    audio_output: 'pulse',
  });
}

describe('resumeAfterCrash', () => {
  it('moves a playing background on by the time since its position was sampled', () => {
    const r = resumeAfterCrash(media({}), { at: 1000, durationS: 10 }, 1750);
    expect(r).toEqual({
      volume: 90,
      background: { file: '/media/tone.wav', status: 'playing', loop: false, position_s: 4.75 },
    });
  });

  it('keeps a paused background where it is', () => {
    const r = resumeAfterCrash(media({ status: 'paused' }), { at: 1000, durationS: 10 }, 5000);
    expect(r?.background?.position_s).toBe(4);
  });

  it('wraps on a looping track, and keeps the last position of a track that would have ended', () => {
    const at = { at: 0, durationS: 10 };
    expect(resumeAfterCrash(media({ loop: true, position_s: 9.5 }), at, 800)?.background?.position_s).toBe(0.3);
    expect(resumeAfterCrash(media({ position_s: 9.5 }), at, 800)?.background?.position_s).toBe(9.5);
  });

  it('moves on without a known length, and not at all without a sample', () => {
    expect(resumeAfterCrash(media({}), { at: 0, durationS: null }, 500)?.background?.position_s).toBe(4.5);
    expect(resumeAfterCrash(media({}), null, 500)?.background?.position_s).toBe(4);
  });

  it('replays no stopped background, and nothing without a state', () => {
    expect(resumeAfterCrash(media({ status: 'stopped' }), null, 0)).toEqual({ volume: 90 });
    expect(resumeAfterCrash(null)).toBeUndefined();
  });
});
