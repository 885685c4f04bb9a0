import type { MediaState, WorkerResume } from '@mpvisor/protocol';

/** Where the background position came from: when it was sampled (clock ms) and the track's length if known. */
export interface PositionSample {
  at: number;
  durationS: number | null;
}

/**
 * What a fresh worker replays after its predecessor crashed: background track (file, loop, position,
 * paused or not) and the zone volume, handed over in the bootstrap's `resume` (the same path a
 * supervisor restart uses). Speech is not replayed: a half-said sentence is better dropped.
 *
 * The position last reported is up to a heartbeat old: music that was playing is resumed where it had
 * got to at `now` (the crash), wrapped on a looping track. A track that would have ended by then resumes
 * where it was last reported, so its end (and the `ended` event a game may wait for) still comes: mpv
 * refuses a start past the end.
 */
export function resumeAfterCrash(
  media: MediaState | null,
  sample: PositionSample | null = null,
  now = 0,
): WorkerResume | undefined {
  if (!media) return undefined;
  const out: WorkerResume = { volume: media.volume };
  const bg = media.background;
  if (bg.file && (bg.status === 'playing' || bg.status === 'paused')) {
    const position = bg.status === 'playing' ? positionAt(bg.position_s, bg.loop, sample, now) : bg.position_s;
    out.background = { file: bg.file, status: bg.status, loop: bg.loop, position_s: position };
  }
  return out;
}

function positionAt(position: number | null, loop: boolean, sample: PositionSample | null, now: number): number | null {
  if (position === null || sample === null) return position;
  const moved = position + Math.max(0, now - sample.at) / 1000;
  const length = sample.durationS;
  if (length === null || length <= 0 || moved < length) return round(moved);
  return loop ? round(moved % length) : position;
}

const round = (s: number) => Math.round(s * 1000) / 1000;
