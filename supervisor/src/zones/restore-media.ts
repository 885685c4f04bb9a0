import type { MediaState, WorkerResume } from '@mpvisor/protocol';

/**
 * What a fresh worker replays after its predecessor crashed: background track (file, loop, position,
 * paused or not) and the zone volume, handed over in the bootstrap's `resume` (the same path a
 * supervisor restart uses). Speech is not replayed: a half-said sentence is better dropped.
 */
export function resumeAfterCrash(media: MediaState | null): WorkerResume | undefined {
  if (!media) return undefined;
  const out: WorkerResume = { volume: media.volume };
  const bg = media.background;
  if (bg.file && (bg.status === 'playing' || bg.status === 'paused')) {
    out.background = { file: bg.file, status: bg.status, loop: bg.loop, position_s: bg.position_s };
  }
  return out;
}
