import type { MediaState } from '@mpvisor/protocol';

/** Smallest time-pos change that counts as progress, in seconds. */
const EPSILON_S = 0.05;

export interface ProgressVerdict {
  /** A heartbeat problem while the stall lasts (the supervisor shows the zone `degraded`). */
  problem: string | null;
  /** True once per stall: the caller kills the background mpv, whose slot restarts and resumes it. */
  recover: boolean;
}

/**
 * Progress-based health: background music that should be playing but whose time-pos does not move
 * for `stallMs` is stuck even if mpv still answers its probe (a blocked audio output, a wedged
 * demuxer). Pure apart from the state it keeps; fed from the heartbeat loop's own time-pos sample.
 */
export class ProgressWatch {
  private lastPos: number | null = null;
  private lastMoveAt = 0;
  private recovered = false;

  constructor(private readonly stallMs: number) {}

  check(bg: Pick<MediaState['background'], 'status' | 'position_s'>, now: number): ProgressVerdict {
    if (bg.status !== 'playing' || bg.position_s === null) {
      this.lastPos = null;
      return { problem: null, recover: false };
    }
    if (this.lastPos === null || Math.abs(bg.position_s - this.lastPos) > EPSILON_S) {
      this.lastPos = bg.position_s;
      this.lastMoveAt = now;
      this.recovered = false;
      return { problem: null, recover: false };
    }
    const stuckMs = now - this.lastMoveAt;
    if (stuckMs < this.stallMs) return { problem: null, recover: false };
    const problem = `background time-pos stuck at ${bg.position_s.toFixed(2)} s for ${Math.round(stuckMs)} ms`;
    // One kill per stall; if the restarted mpv is stuck too, try again after another stallMs.
    const recover = !this.recovered || stuckMs >= 2 * this.stallMs;
    if (recover) {
      this.recovered = true;
      if (stuckMs >= 2 * this.stallMs) this.lastMoveAt = now - this.stallMs;
    }
    return { problem, recover };
  }
}
