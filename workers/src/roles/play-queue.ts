import type { HandlerResult, MediaState } from '@mpvisor/protocol';
import { failed, QUEUE_LIST_MAX, success, warning } from '@mpvisor/protocol';
import type { MpvEndFileEvent } from '@mpvisor/mpv';
import type { MpvSlot } from '../mpv-slot.js';
import type { Reporter } from '../reporter.js';
import { effectiveVolume, itemBase, type VolumeModel } from '../volume.js';
import { loadAndAwait } from './await-playback.js';
import { Fader } from './fader.js';
import type { Located } from './located.js';
import { Serial } from './serial.js';

interface QueueItem {
  path: string;
  base: number;
  duck: number;
  /** mpv's playlist entry once it plays: end-file events of anything else are not this item's. */
  entryId?: number | undefined;
  loop: boolean;
}

export interface PlayQueueOptions {
  kind: 'speech' | 'video';
  slot: MpvSlot;
  volumes: () => VolumeModel;
  roleBase: () => number;
  /** Items waiting behind the current one; a full queue drops its oldest waiting item for a new one. */
  maxQueued: number;
  /** The duck an item gets unless its command gives `ducking` or `skipDucking` (0: none); read at each item. */
  duckDefault: () => number;
  /** Duck the background by a percentage while an item plays; null releases the duck. */
  duck: (percent: number | null) => Promise<void>;
  /** Called when the queue has run dry (a screen shows its image again). */
  onIdle?: () => Promise<void>;
  reporter: Reporter;
  changed: () => void;
}

const START_TIMEOUT_MS = 3000;

/**
 * A FIFO played one item at a time on its own mpv (speech, and video on screens). Ducking follows
 * the queue: on while an item plays, off when the queue is empty, also when an item fails, is
 * skipped or stopped, or its mpv crashes. Starting, pausing, skipping and stopping items, mpv's
 * end-of-file and the recovery after an mpv restart run one at a time, so they never interleave.
 */
export class PlayQueue {
  private readonly serial = new Serial();
  private readonly fader = new Fader();
  private current: QueueItem | null = null;
  private paused = false;
  private readonly queue: QueueItem[] = [];

  constructor(private readonly o: PlayQueueOptions) {}

  bind(): void {
    this.o.slot.client?.on('end-file', (ev: MpvEndFileEvent) => void this.serial.run(() => this.onEnd(ev)));
  }

  private event(state: string, file: string, detail?: Record<string, unknown>): void {
    this.o.reporter.send({ type: 'event', event: { type: this.o.kind, state, file, ...(detail ? { detail } : {}) } });
  }

  private async onEnd(ev: MpvEndFileEvent): Promise<void> {
    if (!this.current || this.current.entryId === undefined || ev.playlist_entry_id !== this.current.entryId) return;
    if (ev.reason !== 'eof' && ev.reason !== 'error') return;
    const file = this.current.path;
    this.current = null;
    this.event(ev.reason === 'eof' ? 'ended' : 'failed', file);
    await this.next();
  }

  /**
   * ParadoxFX's rules: a request for the item now playing, or already last in the queue, is dropped; a
   * full queue drops its oldest waiting item to make room (ParadoxFX's video queue; its speech queue has
   * no bound, mpvisor keeps audio_queue_max and applies the same rule).
   */
  enqueue(media: Located | Promise<Located>, args: Record<string, unknown>): Promise<HandlerResult> {
    this.fader.cancel();
    return this.serial.run(async () => {
      const located = await media;
      return located.ok ? this.add(located.path, args) : located.result;
    });
  }

  private async add(path: string, args: Record<string, unknown>): Promise<HandlerResult> {
    const last = this.queue.at(-1)?.path ?? this.current?.path;
    if (last === path)
      return warning(`${path} is already playing or queued last; not queued again`, {
        queue_length: this.queue.length,
      });
    const { base, warning: volWarning } = itemBase(this.o.roleBase(), args);
    const item = { path, base, duck: itemDuck(args, this.o.duckDefault()), loop: args.loop === true };
    if (this.current) {
      if (this.o.maxQueued === 0) return failed('queue_full', `${this.o.kind} queue_max is 0; ${path} not queued`);
      const dropped = this.queue.length >= this.o.maxQueued ? this.queue.shift()! : null;
      this.queue.push(item);
      this.o.changed();
      if (!dropped) return success(`queued ${path}`, { position: this.queue.length });
      this.event('dropped', dropped.path, { reason: 'queue full', queue_max: this.o.maxQueued });
      return warning(
        `${this.o.kind} queue full (${this.o.maxQueued}): dropped the oldest waiting item ${dropped.path} and queued ${path}`,
        { position: this.queue.length, dropped: dropped.path },
        'queue_full',
      );
    }
    const result = await this.startItem(item);
    if (result.outcome === 'success' && volWarning) return warning(volWarning, result.result);
    return result;
  }

  private async startItem(item: QueueItem): Promise<HandlerResult> {
    await this.o.duck(item.duck);
    const client = await this.o.slot.ready();
    this.current = item;
    this.paused = false;
    const started = await loadAndAwait(
      client,
      item.path,
      { volume: String(this.volume(item)), pause: 'no', 'loop-file': item.loop ? 'inf' : 'no' },
      START_TIMEOUT_MS,
    );
    if (!started.ok) {
      this.current = null;
      this.event('failed', item.path, { reason: started.reason });
      await this.next();
      return failed('media_error', started.reason);
    }
    item.entryId = started.entryId;
    this.event('started', item.path, { volume: this.volume(item) });
    this.o.changed();
    return success(`playing ${item.path}`, {
      file: item.path,
      volume: this.volume(item),
      queue_length: this.queue.length,
    });
  }

  private volume(item: QueueItem): number {
    return effectiveVolume(this.o.volumes(), item.base);
  }

  private async next(): Promise<void> {
    const item = this.queue.shift();
    if (item) {
      await this.startItem(item);
      return;
    }
    this.current = null;
    await this.o.duck(null);
    this.o.changed();
    await this.o.onIdle?.();
  }

  setPaused(paused: boolean): Promise<HandlerResult> {
    return this.serial.run(async () => {
      if (!this.current) return warning(`no ${this.o.kind} is playing`);
      await (await this.o.slot.ready()).setProperty('pause', paused);
      this.paused = paused;
      this.o.changed();
      return success(`${this.o.kind} ${paused ? 'paused' : 'resumed'}`);
    });
  }

  skip(): Promise<HandlerResult> {
    this.fader.cancel();
    return this.serial.run(async () => {
      if (!this.current) return warning(`no ${this.o.kind} is playing`);
      const file = this.current.path;
      this.current = null;
      this.event('skipped', file);
      if (this.queue.length === 0) await (await this.o.slot.ready()).command(['stop']);
      await this.next();
      return success(`skipped ${file}`, { queue_length: this.queue.length });
    });
  }

  /** Drops the queue and the current item; a fade-out cut short by a later command ends in the stop at once. */
  stop(fadeTime = 0): Promise<HandlerResult> {
    this.fader.cancel();
    return this.serial.run(() => this.halt(fadeTime));
  }

  private async halt(fadeTime: number): Promise<HandlerResult> {
    const dropped = this.queue.length;
    this.queue.length = 0;
    const item = this.current;
    if (item) {
      const client = await this.o.slot.ready();
      // The item may end by itself during the fade; only stop it if it is still the one playing.
      if (fadeTime > 0) await this.fader.run(client, this.volume(item), 0, fadeTime);
      if (this.current === item) {
        this.current = null;
        await client.command(['stop']);
        this.event('stopped', item.path);
      }
    }
    await this.next();
    return success(`${this.o.kind} stopped`, { dropped });
  }

  /** Zone or role volume changed: the item playing follows at once. */
  async applyVolume(): Promise<void> {
    this.fader.cancel();
    const client = this.o.slot.client;
    if (this.current && client) await client.setProperty('volume', this.volume(this.current));
  }

  clear(): HandlerResult {
    const dropped = this.queue.length;
    this.queue.length = 0;
    this.o.changed();
    return success(`cleared ${dropped} queued ${this.o.kind} item(s)`, { dropped });
  }

  list(): HandlerResult {
    return success(`${this.o.kind} queue`, {
      current: this.current?.path ?? null,
      [`${this.o.kind}_queue`]: this.listed(),
      queue_length: this.queue.length,
    });
  }

  /** The mpv died: the item it played is lost; go on with the queue (and unduck if it is empty). */
  resumeAfterRestart(): Promise<void> {
    this.bind();
    return this.serial.run(() => this.recover());
  }

  private async recover(): Promise<void> {
    if (!this.current) {
      await this.o.onIdle?.();
      return;
    }
    const file = this.current.path;
    this.current = null;
    this.event('failed', file, { reason: 'mpv crashed' });
    await this.next();
  }

  state(): MediaState['speech'] {
    return {
      file: this.current?.path ?? null,
      status: this.current ? (this.paused ? 'paused' : 'playing') : 'stopped',
      next: this.queue[0]?.path ?? null,
      volume: this.o.roleBase(),
      queue_length: this.queue.length,
      queue: this.listed(),
    };
  }

  private listed(): string[] {
    return this.queue.slice(0, QUEUE_LIST_MAX).map((i) => i.path);
  }

  get playing(): boolean {
    return this.current !== null && !this.paused;
  }
}

/** ParadoxFX's sign rule: only a negative `ducking` ducks; `skipDucking` never does. */
function itemDuck(args: Record<string, unknown>, fallback: number): number {
  if (args.skipDucking === true || args.skip_ducking === true) return 0;
  return Math.min(0, typeof args.ducking === 'number' ? args.ducking : fallback);
}
