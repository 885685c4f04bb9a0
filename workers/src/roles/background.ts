import type { HandlerResult, MediaState } from '@mpvisor/protocol';
import { failed, success, warning } from '@mpvisor/protocol';
import type { MpvSlot } from '../mpv-slot.js';
import type { PreloadedBackground } from '../preload.js';
import type { Reporter } from '../reporter.js';
import { effectiveVolume, itemBase, type VolumeModel } from '../volume.js';
import { loadAndAwait, type PlaybackStart } from './await-playback.js';
import { Fader } from './fader.js';
import type { Located } from './located.js';
import { Serial } from './serial.js';

type Status = MediaState['background']['status'];

const START_TIMEOUT_MS = 3000;

/**
 * Background music: one track on its own mpv (looping when asked), ducked while speech plays unless
 * played with skipDucking. Play, pause, resume, stop and the resume after an mpv restart run one at a
 * time; a volume write cancels a fade at once.
 */
export class BackgroundPlayer {
  private readonly serial = new Serial();
  private readonly fader = new Fader();
  private file: string | null = null;
  private status: Status = 'stopped';
  private loop = false;
  private skipDucking = false;
  private base: number;
  private position: number | null = null;
  /** The current track's length once mpv has said it (null: unknown, or a stream without one). */
  private duration: number | null = null;
  private duck = 0;
  /** What a warm spare preloaded (paused) for this zone's resume; the first load looks at it, once. */
  private preloaded: Promise<PreloadedBackground | null> | null = null;

  constructor(
    private readonly slot: MpvSlot,
    private readonly volumes: () => VolumeModel,
    roleBase: number,
    private readonly reporter: Reporter,
    private readonly changed: () => void,
  ) {
    this.base = roleBase;
  }

  /** Wire mpv's own end-of-file to our events: completion is never guessed from a timer. */
  bind(): void {
    const client = this.slot.client;
    client?.on('end-file', (ev) => {
      if (ev.reason !== 'eof' || this.status === 'stopped' || this.loop) return;
      const file = this.file;
      this.status = 'stopped';
      this.file = null;
      this.reporter.send({ type: 'event', event: { type: 'background', state: 'ended', file } });
      this.changed();
    });
  }

  private volume(): number {
    return effectiveVolume(this.volumes(), this.base, this.skipDucking ? 0 : this.duck);
  }

  play(media: Located | Promise<Located>, args: Record<string, unknown>): Promise<HandlerResult> {
    this.fader.cancel();
    return this.serial.run(async () => {
      const located = await media;
      return located.ok ? this.load(located.path, args) : located.result;
    });
  }

  private async load(path: string, args: Record<string, unknown>): Promise<HandlerResult> {
    const { base, warning: volWarning } = itemBase(this.base, args);
    this.base = base;
    // ParadoxFX plays background music once unless `loop` is true, and reports the end as `done`.
    this.loop = args.loop === true;
    this.skipDucking = args.skipDucking === true || args.skip_ducking === true;
    const fadeIn =
      typeof args.fadeIn === 'number' ? args.fadeIn : typeof args.fadeTime === 'number' ? args.fadeTime : 0;
    // start_s and start_paused are internal (a resume after a crash or restart; MQTT arguments never carry
    // them): load at the position, and paused if it was, rather than load then seek or pause: one playback
    // start instead of two, and a paused background is never heard for the moment between.
    const startAt = typeof args.start_s === 'number' && args.start_s > 0 ? args.start_s : null;
    const paused = args.start_paused === true;
    const client = await this.slot.ready();
    const target = this.volume();
    const options = {
      'loop-file': this.loop ? 'inf' : 'no',
      volume: String(fadeIn > 0 ? 0 : target),
      pause: paused ? 'yes' : 'no',
      ...(startAt ? { start: String(startAt) } : {}),
    };
    const fromPreload = fadeIn > 0 || paused ? null : await this.unpausePreloaded(path, startAt ?? 0, target);
    const started = fromPreload ?? (await loadAndAwait(client, path, options, START_TIMEOUT_MS));
    if (!started.ok) return failed('media_error', started.reason);
    this.file = path;
    this.status = paused ? 'paused' : 'playing';
    this.position = startAt ?? 0;
    this.duration = null;
    this.changed();
    this.reporter.send({
      type: 'event',
      event: {
        type: 'background',
        state: 'started',
        file: path,
        detail: {
          volume: target,
          loop: this.loop,
          ...(fromPreload ? { preloaded: true } : {}),
          ...(paused ? { paused: true } : {}),
        },
      },
    });
    if (fadeIn > 0 && !paused) void this.fader.run(client, 0, target, fadeIn);
    const result = { file: path, volume: target, loop: this.loop };
    return volWarning ? warning(volWarning, result) : success(`playing ${path}`, result);
  }

  /** A warm spare's preload of this zone's background (see preload.ts), for the load that resumes it. */
  offerPreloaded(preloaded: Promise<PreloadedBackground | null>): void {
    this.preloaded = preloaded;
  }

  /**
   * The file preloaded paused at this very position and loop: unpaused (its volume set first, should it
   * differ) instead of loaded again. Null when there is no such preload: the caller loads the file,
   * which replaces whatever was preloaded.
   */
  private async unpausePreloaded(path: string, startS: number, volume: number): Promise<PlaybackStart | null> {
    const offered = this.preloaded;
    this.preloaded = null;
    const pre = offered ? await offered : null;
    if (!pre || pre.path !== path || pre.startS !== startS || pre.loop !== this.loop) return null;
    const client = await this.slot.ready();
    try {
      await Promise.all([
        pre.volume === volume ? undefined : client.setProperty('volume', volume),
        client.setProperty('pause', false),
      ]);
      return { ok: true, entryId: undefined };
    } catch {
      return null;
    }
  }

  pause(): Promise<HandlerResult> {
    return this.serial.run(async () => {
      if (this.status === 'stopped') return warning('no background music is playing');
      await (await this.slot.ready()).setProperty('pause', true);
      this.status = 'paused';
      this.changed();
      return success('background paused');
    });
  }

  resume(): Promise<HandlerResult> {
    return this.serial.run(async () => {
      if (this.status === 'stopped') return warning('no background music to resume');
      await (await this.slot.ready()).setProperty('pause', false);
      this.status = 'playing';
      this.changed();
      return success('background resumed');
    });
  }

  /** A fade-out cut short by a later command (a volume, a duck) ends in the stop at once. */
  stop(fadeTime = 0): Promise<HandlerResult> {
    this.fader.cancel();
    return this.serial.run(() => this.halt(fadeTime));
  }

  private async halt(fadeTime: number): Promise<HandlerResult> {
    if (this.status === 'stopped') return success('background already stopped');
    const client = await this.slot.ready();
    if (fadeTime > 0) await this.fader.run(client, this.volume(), 0, fadeTime);
    await client.command(['stop']);
    const file = this.file;
    this.status = 'stopped';
    this.file = null;
    this.position = null;
    this.changed();
    this.reporter.send({ type: 'event', event: { type: 'background', state: 'stopped', file } });
    return success('background stopped');
  }

  get baseVolume(): number {
    return this.base;
  }

  async setBase(volume: number): Promise<HandlerResult> {
    this.base = volume;
    return this.applyVolume();
  }

  async setDuck(percent: number): Promise<void> {
    if (percent === this.duck) return;
    this.duck = percent;
    await this.applyVolume();
  }

  async applyVolume(): Promise<HandlerResult> {
    this.fader.cancel();
    const v = this.volume();
    const client = this.slot.client;
    if (client) await client.setProperty('volume', v);
    this.changed();
    return success(`background volume ${v}`, { volume: v });
  }

  /** Remember where we are (and the track's length), so a crashed mpv or worker resumes close to the same place. */
  async sample(): Promise<void> {
    const client = this.slot.client;
    if (this.status === 'stopped' || !client) return;
    try {
      const [pos, duration] = await Promise.all([
        client.getProperty<number>('time-pos', { timeoutMs: 300 }),
        this.duration === null ? client.getProperty<number>('duration', { timeoutMs: 300 }).catch(() => null) : null,
      ]);
      if (typeof pos === 'number') this.position = pos;
      if (typeof duration === 'number') this.duration = duration;
    } catch {
      // No position while loading or after a crash: keep the last one.
    }
  }

  get durationS(): number | null {
    return this.status === 'stopped' ? null : this.duration;
  }

  /**
   * After an mpv restart: same file, same place, same loop and volume, same pause state. In line behind
   * any command that came during the restart, so it resumes only what that command left playing.
   */
  resumeAfterRestart(): Promise<void> {
    this.bind();
    return this.serial.run(() => this.reload());
  }

  /**
   * After the audio server returned, on the same mpv: the same file again from where it is now. An mpv
   * that lost its server has either ended the file or plays on without sound ("Could not open/initialize
   * audio device -> no sound"); a load builds its whole audio chain anew in both cases.
   */
  reopen(): Promise<void> {
    return this.serial.run(async () => {
      await this.sample();
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    if (this.status === 'stopped' || !this.file) return;
    const client = await this.slot.ready();
    const options: Record<string, string> = {
      'loop-file': this.loop ? 'inf' : 'no',
      volume: String(this.volume()),
      pause: this.status === 'paused' ? 'yes' : 'no',
      ...(this.position ? { start: String(this.position) } : {}),
    };
    const started = await loadAndAwait(client, this.file, options, START_TIMEOUT_MS);
    if (started.ok)
      this.reporter.send({
        type: 'event',
        event: { type: 'background', state: 'resumed', file: this.file, detail: { position_s: this.position } },
      });
    else this.reporter.warn(`could not resume background: ${started.reason}`);
  }

  state(): MediaState['background'] {
    return {
      file: this.file,
      status: this.status,
      volume: this.base,
      effective_volume: this.volume(),
      loop: this.loop,
      position_s: this.position,
    };
  }

  get active(): boolean {
    return this.status !== 'stopped';
  }
}
