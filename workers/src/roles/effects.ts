import type { HandlerResult } from '@mpvisor/protocol';
import { failed, success, warning } from '@mpvisor/protocol';
import type { MpvEndFileEvent } from '@mpvisor/mpv';
import type { MpvSlot } from '../mpv-slot.js';
import type { Reporter } from '../reporter.js';
import { effectiveVolume, itemBase, type VolumeModel } from '../volume.js';
import { loadAndAwait } from './await-playback.js';
import { Fader } from './fader.js';
import { errorMessage } from '@mpvisor/sys';

/** Voices beyond the warm pool that a burst may add; past that the oldest effect is cut off. */
export const EXTRA_EFFECT_VOICES = 6;
const START_TIMEOUT_MS = 3000;

interface Playing {
  file: string;
  entryId: number | undefined;
  startedAt: number;
  base: number;
}

interface Voice {
  slot: MpvSlot;
  fader: Fader;
  /** Added beyond the warm pool by a burst. */
  temporary: boolean;
  playing: Playing | null;
}

export interface EffectPoolOptions {
  warm: number;
  /**
   * How long the pool goes without a new effect before it closes its idle voices beyond the warm pool
   * (effects_voice_idle_ms): a burst that comes back within it finds its voices warm (~10 ms to start an
   * effect instead of a ~100-250 ms spawn), and a zone back to quiet returns to `effects_pool_size` idle
   * mpv (~11 MB private memory each).
   */
  idleVoiceMs: number;
  /** Creates a started slot for a voice; onRestarted is the voice's crash hook. */
  makeSlot: (role: string, onRestarted: (slot: MpvSlot) => Promise<void>) => MpvSlot;
  volumes: () => VolumeModel;
  roleBase: () => number;
  reporter: Reporter;
  changed: () => void;
}

/**
 * Polyphonic effects from a warm pool of idle mpv: loadfile on an idle instance starts in ~10 ms where
 * spawning one costs ~100 ms. The pool warms once the zone is up (warmIn()), so its mpv are not on the
 * zone's start-up path; an effect before that, or a burst beyond the pool, spawns a voice, up to
 * EXTRA_EFFECT_VOICES more than the pool. Past that bound the oldest effect is stolen, so a trigger
 * always sounds and memory stays bounded. After idleVoiceMs without a new effect, the idle voices beyond
 * the pool are closed.
 */
export class EffectPool {
  private readonly voices: Voice[] = [];
  private shrinkTimer: NodeJS.Timeout | null = null;
  private warmTimer: NodeJS.Timeout | null = null;
  /** When the last effect claimed a voice (performance.now()). */
  private lastClaim = 0;
  private closed = false;

  constructor(private readonly o: EffectPoolOptions) {}

  /** warm() in `delayMs`, unless closed first. */
  warmIn(delayMs: number): void {
    if (this.closed || this.warmTimer) return;
    this.warmTimer = setTimeout(() => {
      this.warmTimer = null;
      void this.warm();
    }, delayMs);
  }

  /**
   * Starts the voices the warm pool lacks. Resolves when they answer, or failed: an idle one is dropped
   * (an effect later spawns its own), one an effect claimed meanwhile is started again by that effect.
   * After close() it starts nothing.
   */
  private async warm(): Promise<void> {
    if (this.closed) return;
    const missing = Math.max(0, this.o.warm - this.voices.length);
    const added = Array.from({ length: missing }, () => this.addVoice());
    await Promise.all(
      added.map((v) =>
        this.startVoice(v).catch((err: unknown) => {
          if (!this.closed) this.o.reporter.warn(`effect voice ${v.slot.role} not started: ${errorMessage(err)}`);
          if (!v.playing) this.removeVoice(v);
        }),
      ),
    );
    this.o.changed();
  }

  get slots(): MpvSlot[] {
    return this.voices.map((v) => v.slot);
  }

  get active(): number {
    return this.voices.filter((v) => v.playing).length;
  }

  private addVoice(): Voice {
    const used = new Set(this.voices.map((v) => v.slot.role));
    let i = 0;
    while (used.has(`effect-${i}`)) i++;
    const voice: Voice = {
      slot: this.o.makeSlot(`effect-${i}`, () => this.onRestarted(voice)),
      fader: new Fader(),
      temporary: this.voices.length >= this.o.warm,
      playing: null,
    };
    this.voices.push(voice);
    return voice;
  }

  private async startVoice(voice: Voice): Promise<void> {
    await voice.slot.start();
    this.bind(voice);
  }

  private bind(voice: Voice): void {
    voice.slot.client?.on('end-file', (ev: MpvEndFileEvent) => {
      const p = voice.playing;
      if (!p || p.entryId === undefined || ev.playlist_entry_id !== p.entryId) return;
      if (ev.reason !== 'eof' && ev.reason !== 'error') return;
      this.finish(voice, ev.reason === 'eof' ? 'ended' : 'failed');
    });
  }

  private event(state: string, file: string, detail: Record<string, unknown>): void {
    this.o.reporter.send({ type: 'event', event: { type: 'effect', state, file, detail } });
  }

  private finish(voice: Voice, state: string, detail: Record<string, unknown> = {}): void {
    const p = voice.playing;
    this.setIdle(voice);
    if (p) this.event(state, p.file, { voice: voice.slot.role, ...detail });
    this.o.changed();
  }

  private setIdle(voice: Voice): void {
    voice.playing = null;
    this.scheduleShrink();
  }

  /** Drops a voice from the pool and closes its mpv (a spawn that failed has none). */
  private removeVoice(voice: Voice): void {
    const i = this.voices.indexOf(voice);
    if (i >= 0) this.voices.splice(i, 1);
    void voice.slot.close(1000);
  }

  /** While the pool holds more than its warm size and one of them is idle, a shrink is due idleVoiceMs after the last effect. */
  private scheduleShrink(): void {
    if (this.shrinkTimer || this.closed || this.voices.length <= this.o.warm) return;
    if (this.voices.every((v) => v.playing)) return;
    const dueIn = Math.max(0, this.lastClaim + this.o.idleVoiceMs - performance.now());
    this.shrinkTimer = setTimeout(() => {
      this.shrinkTimer = null;
      this.shrink();
    }, dueIn);
  }

  /** Closes idle voices beyond the warm size, the last-numbered first; a voice still playing is looked at when it ends. */
  private shrink(): void {
    if (performance.now() - this.lastClaim < this.o.idleVoiceMs) {
      this.scheduleShrink();
      return;
    }
    const surplus = this.voices.length - this.o.warm;
    const idle = this.voices.filter((v) => !v.playing).sort((a, b) => roleIndex(b) - roleIndex(a));
    const closing = idle.slice(0, Math.max(0, surplus));
    for (const v of closing) this.removeVoice(v);
    if (closing.length > 0) this.o.changed();
  }

  /** Claims a voice synchronously, before any await, so concurrent triggers never share one. */
  private claim(playing: Playing): { voice: Voice; stolen: Playing | null; fresh: boolean } {
    this.lastClaim = performance.now();
    const idle = this.voices.find((v) => !v.playing);
    const grow = !idle && this.voices.length < this.o.warm + EXTRA_EFFECT_VOICES;
    const voice =
      idle ??
      (grow ? this.addVoice() : this.voices.reduce((a, b) => (a.playing!.startedAt <= b.playing!.startedAt ? a : b)));
    const stolen = voice.playing;
    voice.playing = playing;
    return { voice, stolen, fresh: grow };
  }

  async play(path: string, args: Record<string, unknown>): Promise<HandlerResult> {
    const { base, warning: volWarning } = itemBase(this.o.roleBase(), args);
    const playing: Playing = { file: path, entryId: undefined, startedAt: Date.now(), base };
    const { voice, stolen, fresh } = this.claim(playing);
    voice.fader.cancel();
    if (stolen) this.event('stopped', stolen.file, { voice: voice.slot.role, reason: 'voice needed for a new effect' });
    if (fresh) {
      try {
        await this.startVoice(voice);
      } catch (err) {
        this.removeVoice(voice);
        return failed('media_error', `no mpv for ${path}: ${errorMessage(err)}`);
      }
    }
    const volume = effectiveVolume(this.o.volumes(), base);
    const client = await voice.slot.ready();
    const started = await loadAndAwait(client, path, { volume: String(volume), pause: 'no' }, START_TIMEOUT_MS);
    if (voice.playing !== playing) return warning(`${path} was cut off before it started`);
    if (!started.ok) {
      this.setIdle(voice);
      return failed('media_error', started.reason);
    }
    playing.entryId = started.entryId;
    this.event('started', path, { voice: voice.slot.role, volume, temporary: voice.temporary });
    this.o.changed();
    const result = { file: path, voice: voice.slot.role, volume, active: this.active };
    return volWarning ? warning(volWarning, result) : success(`effect ${path} on ${voice.slot.role}`, result);
  }

  async stopAll(fadeTime = 0): Promise<HandlerResult> {
    const busy = this.voices.filter((v) => v.playing);
    await Promise.all(
      busy.map(async (v) => {
        const playing = v.playing!;
        const client = await v.slot.ready();
        await v.fader.run(client, effectiveVolume(this.o.volumes(), playing.base), 0, fadeTime);
        // A new effect may have taken the voice during the fade: that one plays on.
        if (v.playing !== playing) return;
        await client.command(['stop']).catch(() => undefined);
        this.finish(v, 'stopped');
      }),
    );
    return success(`stopped ${busy.length} effect(s)`, { stopped: busy.length });
  }

  async setPaused(paused: boolean): Promise<void> {
    await Promise.all(
      this.voices.filter((v) => v.playing).map(async (v) => (await v.slot.ready()).setProperty('pause', paused)),
    );
  }

  async applyVolume(): Promise<void> {
    for (const v of this.voices) v.fader.cancel();
    await Promise.all(
      this.voices
        .filter((v) => v.playing && v.slot.client)
        .map((v) => v.slot.client!.setProperty('volume', effectiveVolume(this.o.volumes(), v.playing!.base))),
    );
  }

  private async onRestarted(voice: Voice): Promise<void> {
    this.bind(voice);
    if (voice.playing) this.finish(voice, 'failed', { reason: 'mpv crashed' });
  }

  /** Stops every voice, those still starting included (their mpv are stopped once spawned), and warms no more. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of [this.shrinkTimer, this.warmTimer]) if (t) clearTimeout(t);
    this.shrinkTimer = null;
    this.warmTimer = null;
    await Promise.all(this.voices.map((v) => v.slot.close(1500)));
  }
}

function roleIndex(v: Voice): number {
  return Number(v.slot.role.slice('effect-'.length));
}
