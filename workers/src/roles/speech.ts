import type { HandlerResult, MediaState } from '@mpvisor/protocol';
import { failed, success, warning } from '@mpvisor/protocol';
import type { MpvEndFileEvent } from '@mpvisor/mpv';
import type { MpvSlot } from '../mpv-slot.js';
import type { Reporter } from '../reporter.js';
import { effectiveVolume, itemBase, type VolumeModel } from '../volume.js';
import { fadeVolume, loadAndAwait } from './await-playback.js';

interface SpeechItem {
  path: string;
  base: number;
}

const START_TIMEOUT_MS = 3000;

/**
 * Speech: a FIFO played one item at a time on its own mpv. Ducking follows the queue: on while an item
 * plays, off when the queue is empty, also when an item fails, is skipped or its mpv crashes.
 */
export class SpeechQueue {
  private current: SpeechItem | null = null;
  private paused = false;
  private readonly queue: SpeechItem[] = [];
  private advancing = false;

  constructor(
    private readonly slot: MpvSlot,
    private readonly volumes: () => VolumeModel,
    private readonly roleBase: () => number,
    private readonly setDucked: (on: boolean) => Promise<void>,
    private readonly reporter: Reporter,
    private readonly changed: () => void,
  ) {}

  bind(): void {
    this.slot.client?.on('end-file', (ev: MpvEndFileEvent) => void this.onEnd(ev));
  }

  private async onEnd(ev: MpvEndFileEvent): Promise<void> {
    if (!this.current || this.advancing) return;
    if (ev.reason !== 'eof' && ev.reason !== 'error') return;
    const file = this.current.path;
    this.current = null;
    this.reporter.send({ type: 'event', event: { type: 'speech', state: ev.reason === 'eof' ? 'ended' : 'failed', file } });
    await this.next();
  }

  /** ParadoxFX's rule: a request for the item now playing, or already last in the queue, is dropped. */
  async enqueue(path: string, args: Record<string, unknown>): Promise<HandlerResult> {
    const last = this.queue.at(-1)?.path ?? this.current?.path;
    if (last === path) return warning(`${path} is already playing or queued last; not queued again`, { queue_length: this.queue.length });
    const { base, warning: volWarning } = itemBase(this.roleBase(), args);
    const item = { path, base };
    if (this.current) {
      this.queue.push(item);
      this.changed();
      return success(`queued ${path}`, { position: this.queue.length });
    }
    const result = await this.startItem(item);
    if (result.outcome === 'success' && volWarning) return warning(volWarning, result.result);
    return result;
  }

  private async startItem(item: SpeechItem): Promise<HandlerResult> {
    await this.setDucked(true);
    const client = await this.slot.ready();
    this.current = item;
    this.paused = false;
    this.advancing = true;
    const started = await loadAndAwait(client, item.path, { volume: String(effectiveVolume(this.volumes(), item.base)), pause: 'no' }, START_TIMEOUT_MS);
    this.advancing = false;
    if (!started.ok) {
      this.current = null;
      this.reporter.send({ type: 'event', event: { type: 'speech', state: 'failed', file: item.path } });
      await this.next();
      return failed('media_error', started.reason);
    }
    this.reporter.send({ type: 'event', event: { type: 'speech', state: 'started', file: item.path } });
    this.changed();
    return success(`speaking ${item.path}`, { file: item.path, queue_length: this.queue.length });
  }

  private async next(): Promise<void> {
    const item = this.queue.shift();
    if (item) {
      await this.startItem(item);
      return;
    }
    this.current = null;
    await this.setDucked(false);
    this.changed();
  }

  async pause(): Promise<HandlerResult> {
    if (!this.current) return warning('no speech is playing');
    await (await this.slot.ready()).setProperty('pause', true);
    this.paused = true;
    this.changed();
    return success('speech paused');
  }

  async resume(): Promise<HandlerResult> {
    if (!this.current) return warning('no speech to resume');
    await (await this.slot.ready()).setProperty('pause', false);
    this.paused = false;
    this.changed();
    return success('speech resumed');
  }

  async skip(): Promise<HandlerResult> {
    if (!this.current) return warning('no speech is playing');
    const file = this.current.path;
    this.current = null;
    this.reporter.send({ type: 'event', event: { type: 'speech', state: 'skipped', file } });
    if (this.queue.length === 0) await (await this.slot.ready()).command(['stop']);
    await this.next();
    return success(`skipped ${file}`, { queue_length: this.queue.length });
  }

  async stop(fadeTime = 0): Promise<HandlerResult> {
    const dropped = this.queue.length;
    this.queue.length = 0;
    if (this.current) {
      const client = await this.slot.ready();
      if (fadeTime > 0) await fadeVolume(client, effectiveVolume(this.volumes(), this.current.base), 0, fadeTime);
      const file = this.current.path;
      this.current = null;
      await client.command(['stop']);
      this.reporter.send({ type: 'event', event: { type: 'speech', state: 'stopped', file } });
    }
    await this.setDucked(false);
    this.changed();
    return success('speech stopped', { dropped });
  }

  clear(): HandlerResult {
    const dropped = this.queue.length;
    this.queue.length = 0;
    this.changed();
    return success(`cleared ${dropped} queued speech item(s)`, { dropped });
  }

  list(): HandlerResult {
    return success('speech queue', { current: this.current?.path ?? null, speech_queue: this.queue.map((i) => i.path) });
  }

  /** The speech mpv died: the item it played is lost; go on with the queue (and unduck if it is empty). */
  async resumeAfterRestart(): Promise<void> {
    this.bind();
    if (!this.current) return;
    const file = this.current.path;
    this.current = null;
    this.reporter.send({ type: 'event', event: { type: 'speech', state: 'failed', file, detail: { reason: 'mpv crashed' } } });
    await this.next();
  }

  state(): MediaState['speech'] {
    return {
      file: this.current?.path ?? null,
      status: this.current ? (this.paused ? 'paused' : 'playing') : 'stopped',
      queue_length: this.queue.length,
      queue: this.queue.map((i) => i.path),
    };
  }

  get active(): boolean {
    return this.current !== null;
  }
}
