import type { MediaState, WorkerResume } from '@mpvisor/protocol';
import type { Clock } from '../clock.js';
import { resumeAfterCrash, type PositionSample } from './restore-media.js';
import type { BackgroundSample } from './worker-session.js';
import type { ZoneFacts } from './zone-snapshot.js';

/**
 * What a zone's runner remembers of its media between workers: the last media state reported (in the
 * zone's facts, which its state shows), when the background position in it was sampled, and the resume
 * the current worker was handed. From these it tells what a worker that dies now should hand on.
 */
export class MediaMemory {
  /** When the background position in the facts was sampled, for the position a crash resumes at. */
  private positionSample: PositionSample | null = null;
  /**
   * The background the current worker was told to resume, until it reports one playing (or paused):
   * a worker that dies before that (a second crash right after an adoption) hands it on unplayed.
   */
  private handedResume: WorkerResume | undefined;

  constructor(
    private readonly facts: ZoneFacts,
    private readonly clock: Clock,
  ) {}

  /** A new worker (spawned or adopted) was told to resume this. */
  handed(resume: WorkerResume | undefined): void {
    this.handedResume = resume;
  }

  /** A heartbeat's position: it moves every beat, kept for a resume after a crash without a state publish. */
  beat(background: BackgroundSample): void {
    const media = this.facts.media;
    const positionS = background.position_s;
    if (!media || typeof positionS !== 'number') return;
    this.facts.media = { ...media, background: { ...media.background, position_s: positionS } };
    this.positionSample = { at: this.clock.now(), durationS: background.duration_s ?? null };
  }

  /** A media state from the worker. */
  report(media: MediaState): void {
    const before = this.facts.media?.background;
    const now = media.background;
    // A state carries the position last sampled, unless a new track, a start position or a pause or
    // resume set it just now.
    if (before?.file !== now.file || before.position_s !== now.position_s || before.status !== now.status) {
      const durationS = before?.file === now.file ? (this.positionSample?.durationS ?? null) : null;
      this.positionSample = { at: this.clock.now(), durationS };
    }
    this.facts.media = media;
    if (media.background.status !== 'stopped') this.handedResume = undefined;
  }

  /** The worker died unasked: what the next one resumes (see resumeAfterCrash). */
  afterCrash(): WorkerResume | undefined {
    const reported = resumeAfterCrash(this.facts.media, this.positionSample, this.clock.now());
    // The browser died with its worker and nothing brings it back; the media facts stay, as they are what
    // a reset with preserve_state (or a shutdown's zones.json) replays until the next worker reports.
    if (this.facts.media?.browser) {
      const { browser: _gone, ...media } = this.facts.media;
      this.facts.media = media;
    }
    return reported?.background || !this.handedResume?.background ? reported : this.handedResume;
  }
}
