import { resolveMediaFile, type ZoneConfig } from '@mpvisor/config';
import { failed, success, type HandlerResult, type MediaState } from '@mpvisor/protocol';
import type { AudioChoice } from './audio-output.js';
import type { Bootstrap } from './bootstrap.js';
import { MpvSlot } from './mpv-slot.js';
import type { Reporter } from './reporter.js';
import { BackgroundPlayer } from './roles/background.js';
import { SpeechQueue } from './roles/speech.js';
import type { VolumeModel } from './volume.js';

type Handler = (args: Record<string, unknown>) => Promise<HandlerResult>;

/** A zone's media: its mpv slots, the roles on them, and the command handlers over the roles. */
export class Zone {
  readonly slots: MpvSlot[];
  private readonly background: BackgroundPlayer;
  private readonly speech: SpeechQueue;
  private zoneVolume: number;
  private readonly handlers: Map<string, Handler>;
  private stateTimer: NodeJS.Immediate | null = null;

  constructor(
    private readonly boot: Bootstrap,
    private readonly audio: AudioChoice,
    private readonly reporter: Reporter,
  ) {
    const zone = boot.zone;
    this.zoneVolume = zone.volume;
    const env = { ...process.env, ...boot.mpvEnv };
    const slot = (role: string) =>
      new MpvSlot({
        role,
        instance: `${zone.name}/${role}`,
        mpvPath: boot.mpvPath,
        audio: audio.output,
        extraArgs: zone.mpv_audio_options,
        video: false,
        env,
        reporter,
        onRestarted: (s) => this.onSlotRestarted(s),
      });
    const bgSlot = slot('background');
    const speechSlot = slot('speech');
    this.slots = [bgSlot, speechSlot];
    const changed = () => this.stateChanged();
    this.background = new BackgroundPlayer(bgSlot, () => this.volumes(), zone.background_volume, reporter, changed);
    this.speech = new SpeechQueue(
      speechSlot,
      () => this.volumes(),
      () => zone.speech_volume,
      (on) => this.background.setDuck(on ? zone.ducking_adjust : 0),
      reporter,
      changed,
    );
    this.handlers = this.buildHandlers(zone);
  }

  private volumes(): VolumeModel {
    return { zone: this.zoneVolume, max: this.boot.zone.max_volume };
  }

  async start(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.start()));
    this.background.bind();
    this.speech.bind();
  }

  private async onSlotRestarted(slot: MpvSlot): Promise<void> {
    if (slot.role === 'background') await this.background.resumeAfterRestart();
    else if (slot.role === 'speech') await this.speech.resumeAfterRestart();
    this.stateChanged();
  }

  private async media(args: Record<string, unknown>, play: (path: string) => Promise<HandlerResult>): Promise<HandlerResult> {
    const requested = String(args.file);
    const resolved = await resolveMediaFile(this.boot.zone.media_dir, requested);
    if (!resolved.ok) {
      return resolved.reason === 'outside'
        ? { outcome: 'invalid', error_type: 'path_outside_media', message: `media path "${requested}" is outside the zone's media folder` }
        : failed('file_not_found', `media file "${requested}" ${resolved.reason.replace(/_/g, ' ')} in ${this.boot.zone.media_dir}`);
    }
    return play(resolved.path);
  }

  private buildHandlers(zone: ZoneConfig): Map<string, Handler> {
    const fade = (a: Record<string, unknown>) => (typeof a.fadeTime === 'number' ? a.fadeTime : 0);
    const h = new Map<string, Handler>();
    h.set('playBackground', (a) => this.media(a, (p) => this.background.play(p, a)));
    h.set('pauseBackground', () => this.background.pause());
    h.set('resumeBackground', () => this.background.resume());
    h.set('stopBackground', (a) => this.background.stop(fade(a)));
    h.set('setBackgroundMusicVolume', (a) => this.background.setBase(a.volume as number));
    h.set('playSpeech', (a) => this.media(a, (p) => this.speech.enqueue(p, a)));
    h.set('pauseSpeech', () => this.speech.pause());
    h.set('resumeSpeech', () => this.speech.resume());
    h.set('skipSpeech', () => this.speech.skip());
    h.set('stopSpeech', (a) => this.speech.stop(fade(a)));
    h.set('clearSpeechQueue', async () => this.speech.clear());
    h.set('speechQueue', async () => this.speech.list());
    h.set('stopAudio', async (a) => {
      await Promise.all([this.background.stop(fade(a)), this.speech.stop(fade(a))]);
      return success('audio stopped');
    });
    h.set('setVolume', async (a) => {
      this.zoneVolume = a.volume as number;
      await this.background.applyVolume();
      return success(`zone volume ${this.zoneVolume}`, { volume: this.zoneVolume });
    });
    h.set('getState', async () => success('state', this.state()));
    h.set('getConfig', async () => success('config', zone));
    h.set('getMpvProperty', async (a) => {
      const slot = this.slots.find((s) => s.role === a.role);
      if (!slot) return { outcome: 'invalid', error_type: 'invalid_argument', message: `no mpv role "${String(a.role)}"; roles: ${this.slots.map((s) => s.role).join(', ')}` };
      const client = await slot.ready();
      const value = await client.getProperty(String(a.property), { timeoutMs: 1000 }).catch((err: Error) => ({ error: err.message }));
      return success(`${String(a.role)} ${String(a.property)}`, { role: a.role, property: a.property, value, pid: slot.pid });
    });
    return h;
  }

  async handle(command: string, args: Record<string, unknown>): Promise<HandlerResult> {
    const handler = this.handlers.get(command);
    if (!handler) return failed('not_implemented', `${command} is not implemented in the zone worker yet`);
    return handler(args);
  }

  private stateChanged(): void {
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
      effects: { active: 0 },
      volume: this.zoneVolume,
      ducked: this.speech.active,
      paused_all: false,
      audio_output: this.audio.label,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close(1500)));
  }
}
