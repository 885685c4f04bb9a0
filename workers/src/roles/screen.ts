import type { HandlerResult, MediaState } from '@mpvisor/protocol';
import { failed, success } from '@mpvisor/protocol';
import type { MpvSlot } from '../mpv-slot.js';
import type { Reporter } from '../reporter.js';
import { loadAndAwait } from './await-playback.js';
import { PlayQueue, type PlayQueueOptions } from './play-queue.js';

const START_TIMEOUT_MS = 3000;
const VIDEO_EXTENSIONS = /\.(mp4|m4v|mkv|mov|avi|webm|mpe?g|ts|wmv|flv|ogv)$/i;

/**
 * A screen: one mpv shows either the current image or the video queue. The image stays the screen's
 * resting picture: a video plays over it and the image comes back when the queue runs dry.
 */
export class ScreenPlayer {
  readonly video: PlayQueue;
  private image: string | null;

  constructor(
    private readonly slot: MpvSlot,
    queue: Omit<PlayQueueOptions, 'kind' | 'slot' | 'onIdle'>,
    defaultImage: string | null,
    private readonly reporter: Reporter,
    private readonly changed: () => void,
  ) {
    this.image = defaultImage;
    this.video = new PlayQueue({ ...queue, kind: 'video', slot, onIdle: () => this.showImage().then(() => undefined) });
  }

  async start(): Promise<void> {
    this.video.bind();
    if (this.image) await this.showImage();
  }

  async setImage(path: string): Promise<HandlerResult> {
    this.image = path;
    this.changed();
    if (this.video.state().file)
      return success(`image ${path} set; shown when the video queue ends`, { file: path, shown: false });
    const shown = await this.showImage();
    return shown.ok ? success(`showing ${path}`, { file: path, shown: true }) : failed('media_error', shown.reason);
  }

  /** The picture to rest on when the video queue ends, without showing it now (transition). */
  restOn(path: string): HandlerResult {
    this.image = path;
    this.changed();
    return success(`image ${path} shown when the video ends`, { file: path, shown: false });
  }

  /** Show the resting picture again unless a video plays (recoverScreens). */
  async reshow(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.video.state().file ? { ok: true } : this.showImage();
  }

  /** ParadoxFX shows a video given to setImage as its first frame, paused: a still from the clip. */
  private async showImage(): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (!this.image) return { ok: true };
    const client = await this.slot.ready();
    const options: Record<string, string> = VIDEO_EXTENSIONS.test(this.image)
      ? { pause: 'yes', 'loop-file': 'no' }
      : { 'image-display-duration': 'inf', pause: 'no' };
    const started = await loadAndAwait(client, this.image, options, START_TIMEOUT_MS);
    if (!started.ok) {
      this.reporter.warn(started.reason, { role: 'video' });
      return started;
    }
    this.reporter.send({ type: 'event', event: { type: 'image', state: 'shown', file: this.image } });
    return { ok: true };
  }

  async resumeAfterRestart(): Promise<void> {
    await this.video.resumeAfterRestart();
  }

  state(): { video: NonNullable<MediaState['video']>; image: NonNullable<MediaState['image']> } {
    return { video: this.video.state(), image: { file: this.image } };
  }
}
