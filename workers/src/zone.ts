import { resolveMediaFile, resolveMediaPath, videoArgs } from '@mpvisor/config';
import {
  failed,
  CommandError,
  isWorkerCommand,
  parseZoneArgs,
  type CommonCommandName,
  type HandlerResult,
  type MediaState,
  type OutputStatus,
  type ScreenPower,
  type ScreenCommandName,
  type WorkerCommandName,
  type ZoneArgs,
} from '@mpvisor/protocol';
import type { AudioChoice } from './audio-output.js';
import type { Bootstrap } from './bootstrap.js';
import { ZoneBrowser } from './browser/zone-browser.js';
import { DisplayPower, powerMethods } from './display-power/display-power.js';
import { audioHandlers } from './handlers/audio.js';
import { browserHandlers } from './handlers/browser.js';
import { mixHandlers } from './handlers/mix.js';
import { pfxMediaHandlers, pfxTransitionHandlers } from './handlers/pfx-media.js';
import { pfxVolumeHandlers } from './handlers/pfx-volume.js';
import { screenPowerHandlers } from './handlers/screen-power.js';
import { screenHandlers } from './handlers/screen.js';
import type { Handler, Handlers } from './handlers/types.js';
import type { MpvSlot } from './mpv-slot.js';
import { freshSlots, type SlotProvider } from './slot-provider.js';
import type { Reporter } from './reporter.js';
import { BackgroundPlayer } from './roles/background.js';
import { EffectPool } from './roles/effects.js';
import type { Located } from './roles/located.js';
import { PlayQueue } from './roles/play-queue.js';
import { ScreenPlayer } from './roles/screen.js';
import { Ducks, type VolumeModel } from './volume.js';

const SWITCH_TIMEOUT_MS = 2000;

/** A zone's media: its mpv slots, the roles on them, and the command handlers over the roles. */
export class Zone {
  readonly background: BackgroundPlayer;
  readonly speech: PlayQueue;
  readonly effects: EffectPool;
  readonly screen: ScreenPlayer | null = null;
  readonly browser: ZoneBrowser | null = null;
  readonly ducks: Ducks;
  /** The zone master (setZoneVolume, setVolume {volume}); starts at 100, the role bases carry pfx.ini's levels. */
  zoneVolume = 100;
  /** ParadoxFX's base volumes of speech, effects and video (setVolume {type}); background keeps its own. */
  readonly bases: { speech: number; effects: number; video: number };
  /** ParadoxFX's ducking_adjust (setDuckingAdjustment): the default duck of speech, video and duck. */
  duckingAdjust: number;
  pausedAll: string[] | null = null;
  /** What the audio server says about the zone's output (set by its OutputGuard; null without one). */
  output: OutputStatus | null = null;
  /** Screen zones: switches the screen's power and reads it back from the display server. */
  readonly displayPower: DisplayPower | null = null;
  /** What the display server last reported (read at start, then after each switch). */
  screenPower: ScreenPower = 'unknown';
  private readonly fixedSlots: MpvSlot[];
  /** Every zone kind's commands, and a screen zone's own (null elsewhere: the supervisor refuses them first). */
  private readonly handlers: Handlers<CommonCommandName> & Partial<Handlers<ScreenCommandName>>;
  private stateTimer: NodeJS.Immediate | null = null;

  constructor(
    readonly boot: Bootstrap,
    private audio: AudioChoice,
    readonly reporter: Reporter,
    /** New slots for a cold start; a warm spare's running ones when it adopts this zone. */
    slots: SlotProvider = freshSlots,
  ) {
    const zone = boot.zone;
    this.bases = { speech: zone.speech_volume, effects: zone.effects_volume, video: zone.video_volume };
    this.duckingAdjust = zone.ducking_adjust;
    const slot = (role: string, onRestarted: (s: MpvSlot) => Promise<void>, video = false) =>
      slots.take({
        role,
        instance: `${zone.name}/${role}`,
        mpvPath: boot.mpvPath,
        audio: this.audio.output,
        extraArgs: video ? videoArgs(zone) : zone.mpv_audio_options,
        video,
        env: { ...process.env, ...boot.mpvEnv, ...(video && zone.display ? { DISPLAY: zone.display } : {}) },
        reporter,
        onRestarted: async (s) => {
          await onRestarted(s);
          this.stateChanged();
        },
      });
    const changed = () => this.stateChanged();
    const volumes = () => this.volumes();
    const bgSlot = slot('background', () => this.background.resumeAfterRestart());
    const speechSlot = slot('speech', () => this.speech.resumeAfterRestart());
    this.fixedSlots = [bgSlot, speechSlot];
    this.background = new BackgroundPlayer(bgSlot, volumes, zone.background_volume, reporter, changed);
    this.ducks = new Ducks((strongest) => this.background.setDuck(strongest));
    const duckAs = (id: string) => async (percent: number | null) => {
      if (percent === null) await this.ducks.release([id]);
      else await this.ducks.set(id, percent);
    };
    const queue = { volumes, reporter, changed };
    // speech_ducking / video_ducking: absent follows ducking_adjust, 0 or more turns that duck off, negative is its amount.
    const duckDefault = (kindDefault: number | undefined) => () =>
      kindDefault === undefined ? this.duckingAdjust : Math.min(0, kindDefault);
    this.speech = new PlayQueue({
      ...queue,
      kind: 'speech',
      slot: speechSlot,
      roleBase: () => this.bases.speech,
      maxQueued: zone.audio_queue_max,
      duckDefault: duckDefault(zone.speech_ducking),
      duck: duckAs('speech'),
    });
    this.effects = new EffectPool({
      warm: zone.effects_pool_size,
      idleVoiceMs: zone.effects_voice_idle_ms,
      makeSlot: (role, hook) => slot(role, hook),
      volumes,
      roleBase: () => this.bases.effects,
      reporter,
      changed,
    });
    if (zone.kind === 'screen') {
      const videoSlot = slot('video', () => this.screen!.resumeAfterRestart(), true);
      this.fixedSlots.push(videoSlot);
      const image = zone.default_image ? resolveMediaPath(zone.media_dir, zone.default_image) : null;
      this.screen = new ScreenPlayer(
        videoSlot,
        {
          ...queue,
          roleBase: () => this.bases.video,
          maxQueued: zone.video_queue_max,
          duckDefault: duckDefault(zone.video_ducking),
          duck: duckAs('video'),
        },
        image?.ok ? image.path : null,
        reporter,
        changed,
      );
    }
    if (this.screen) {
      const display = zone.display ?? process.env.DISPLAY;
      const monitor = zone.target_monitor ?? zone.xinerama_screen;
      this.displayPower = new DisplayPower(powerMethods({ display, env: process.env, monitor }));
      this.browser = new ZoneBrowser({
        zone: zone.name,
        display,
        runDir: boot.runDir,
        reporter,
        changed,
      });
    }
    const common: Handlers<CommonCommandName> = {
      ...audioHandlers(this),
      ...mixHandlers(this),
      ...pfxVolumeHandlers(this),
      ...pfxMediaHandlers(this),
    };
    const screen: Handlers<ScreenCommandName> | null =
      this.screen && this.browser && this.displayPower
        ? {
            ...screenHandlers(this, this.screen),
            ...pfxTransitionHandlers(this, this.screen),
            ...screenPowerHandlers(this, this.screen, this.displayPower),
            ...browserHandlers(this, this.browser),
          }
        : null;
    this.handlers = { ...common, ...screen };
  }

  get slots(): MpvSlot[] {
    return [...this.fixedSlots, ...this.effects.slots];
  }

  volumes(): VolumeModel {
    return { zone: this.zoneVolume, max: this.boot.zone.max_volume };
  }

  /** The pulse output this zone waits for on the null output (no audio server yet), or null. */
  get pendingAudio(): AudioChoice['pending'] {
    return this.audio.pending;
  }

  /** The output it waited for is there (the audio server appeared): every mpv, idle or playing, moves to it. */
  async switchAudio(choice: AudioChoice): Promise<void> {
    this.audio = choice;
    await Promise.all(this.slots.map((s) => s.switchAudio(choice.output, SWITCH_TIMEOUT_MS)));
    this.stateChanged();
  }

  /**
   * Starts the zone's fixed mpv; the effect pool warms effects_warm_delay_ms later, so its mpv stay off
   * the start-up path of this zone and of the zones starting beside it (docs/benchmarks.md, Footprint).
   * An effect before then spawns its own voice.
   */
  async start(): Promise<void> {
    await Promise.all(this.fixedSlots.map((s) => s.start()));
    this.effects.warmIn(this.boot.zone.effects_warm_delay_ms);
    this.background.bind();
    this.speech.bind();
    await this.screen?.start();
    void this.displayPower?.read().then((power) => {
      this.screenPower = power;
      this.stateChanged();
    });
  }

  /**
   * Resolve a command's media path inside the zone's folder; a missing file fails naming it. Never
   * rejects: a role may hold the promise a while before its turn comes to await it.
   */
  async locate(args: Record<string, unknown>): Promise<Located> {
    const requested = String(args.file);
    const resolved = await resolveMediaFile(this.boot.zone.media_dir, requested).catch((err: Error) => err);
    if (resolved instanceof Error)
      return { ok: false, result: failed('internal', `could not look up "${requested}": ${resolved.message}`) };
    if (resolved.ok) return { ok: true, path: resolved.path };
    return {
      ok: false,
      result:
        resolved.reason === 'outside'
          ? {
              outcome: 'invalid',
              error_type: 'path_outside_media',
              message: `media path "${requested}" is outside the zone's media folder`,
            }
          : failed(
              'file_not_found',
              `media file "${requested}" ${resolved.reason.replace(/_/g, ' ')} in ${this.boot.zone.media_dir}`,
            ),
    };
  }

  async media(args: Record<string, unknown>, play: (path: string) => Promise<HandlerResult>): Promise<HandlerResult> {
    const located = await this.locate(args);
    return located.ok ? play(located.path) : located.result;
  }

  /** Zone volume or ducks changed: every playing role follows, and listeners hear the new levels. */
  async applyVolumes(): Promise<void> {
    await Promise.all([
      this.background.applyVolume(),
      this.speech.applyVolume(),
      this.effects.applyVolume(),
      this.screen?.video.applyVolume(),
    ]);
    this.volumeEvent();
  }

  volumeEvent(): void {
    const detail = {
      zone_volume: this.zoneVolume,
      background: this.background.state().effective_volume,
      duck_percent: this.ducks.strongest,
      ducks: this.ducks.ids,
    };
    this.reporter.send({ type: 'event', event: { type: 'volume', state: 'changed', detail } });
  }

  /** A request from the supervisor: its arguments are parsed again here, at this process's edge. */
  async handle(command: string, raw: unknown): Promise<HandlerResult> {
    if (!isWorkerCommand(command) || !this.handlerFor(command)) return this.notHere(command);
    let args: ZoneArgs<typeof command>;
    try {
      args = parseZoneArgs(command, raw);
    } catch (err) {
      if (err instanceof CommandError) return { outcome: err.outcome, error_type: err.errorType, message: err.message };
      throw err;
    }
    return this.run(command, args);
  }

  /** A command from inside the worker (the resume after a restart), its arguments already of their type. */
  async run<K extends WorkerCommandName>(command: K, args: ZoneArgs<K>): Promise<HandlerResult> {
    const handler = this.handlerFor(command);
    return handler ? handler(args) : this.notHere(command);
  }

  private handlerFor<K extends WorkerCommandName>(command: K): Handler<K> | undefined {
    const table: Partial<Handlers<WorkerCommandName>> = this.handlers;
    return table[command];
  }

  private notHere(command: string): HandlerResult {
    return failed('not_implemented', `${command} is not implemented for a ${this.boot.zone.kind} zone`);
  }

  stateChanged(): void {
    if (this.stateTimer) return;
    this.stateTimer = setImmediate(() => {
      this.stateTimer = null;
      this.reporter.send({ type: 'state', media: this.state() });
    });
  }

  async sample(): Promise<void> {
    await this.background.sample();
  }

  state(): MediaState {
    return {
      background: this.background.state(),
      speech: this.speech.state(),
      effects: { active: this.effects.active, volume: this.bases.effects },
      ...(this.screen ? this.screen.state() : {}),
      volume: this.zoneVolume,
      ducked: this.ducks.strongest < 0,
      ducking_adjust: this.duckingAdjust,
      ...(this.screen ? { screen_power: this.screenPower } : {}),
      ...(this.browser ? { browser: this.browser.state() } : {}),
      paused_all: this.pausedAll !== null,
      audio_output: this.audio.label,
      ...(this.output ? { output: this.output } : {}),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.fixedSlots.map((s) => s.close(1500)), this.effects.close(), this.browser?.close()]);
  }
}
