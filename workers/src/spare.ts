import { videoArgs } from '@mpvisor/config';
import type { IpcClient } from '@mpvisor/ipc';
import { adoptedClientName } from '@mpvisor/pulse';
import type {
  SpareBootstrap,
  SpareProfile,
  SupervisorToWorker,
  WorkerResume,
  WorkerToSupervisor,
} from '@mpvisor/protocol';
import { chooseAudioOutput, type AudioChoice } from './audio-output.js';
import type { Bootstrap } from './bootstrap.js';
import { MpvSlot } from './mpv-slot.js';
import type { Reporter } from './reporter.js';
import { PrespawnedSlots } from './slot-provider.js';
import { preloadBackground, type PreloadedBackground } from './preload.js';
import { spareHeartbeat } from './spare-heartbeat.js';
import { warmDemuxers, warmMessageParsing } from './warm-up.js';

type Ipc = IpcClient<SupervisorToWorker, WorkerToSupervisor>;
type AdoptMessage = Extract<SupervisorToWorker, { type: 'adopt' }>;

const WARM_UP_TIMEOUT_MS = 3000;

/** What a spare becomes once adopted: a zone's bootstrap, its audio output and the running slots. */
export interface Adoption {
  boot: Bootstrap;
  audio: AudioChoice;
  slots: PrespawnedSlots;
  resume: WorkerResume | undefined;
  /**
   * The zone's background as a reset's `preload` had it loaded (paused) in the background slot, which
   * it put on the zone's device; null: no preload.
   */
  preload: Promise<PreloadedBackground | null> | null;
}

/**
 * The slots a spare starts: its kind's background, speech (and video), each with the options that zone's
 * mpv get. No effect voices: the zone that adopts the spare warms its pool once it is up, as any zone does.
 */
export function spareSlotPlan(profile: SpareProfile): Array<{ role: string; video: boolean; extraArgs: string[] }> {
  return [
    ...['background', 'speech'].map((role) => ({ role, video: false, extraArgs: profile.audioArgs })),
    ...(profile.video ? [{ role: 'video', video: true, extraArgs: profile.video.args }] : []),
  ];
}

/**
 * The zone's audio output, derived from the spare's without probing again: all zones on a host share
 * the audio server's availability. The supervisor hands a spare only to zones whose device is a pulse
 * one (or none), so the output kind is the same; only the device differs, set at runtime on adoption.
 */
export function zoneAudio(spare: AudioChoice, device: string | undefined): AudioChoice {
  const own = device && device !== 'pulse' ? device : undefined;
  const pulse = { ao: 'pulse', ...(own ? { device: own } : {}) };
  if (spare.output.ao === 'pulse') return { output: pulse, label: device ?? 'pulse', warning: null, pending: null };
  return spare.pending ? { ...spare, pending: pulse } : spare;
}

/**
 * A warm spare's life before it has a zone: choose the audio output as zones do, start its kind's
 * slots idle (a video one without a window) with their demuxers warmed (warm-up.ts), report ready,
 * heartbeat until `adopt` comes. `onSlots` lets the caller close them if it must stop first.
 */
export async function runSpare(
  boot: SpareBootstrap,
  ipc: Ipc,
  reporter: Reporter,
  onSlots: (slots: MpvSlot[]) => void,
): Promise<Adoption> {
  const adopted = new Promise<AdoptMessage>((resolve) => {
    const listener = (msg: SupervisorToWorker) => {
      if (msg.type !== 'adopt') return;
      ipc.off('message', listener);
      resolve(msg);
    };
    ipc.on('message', listener);
  });
  const audio = await chooseAudioOutput(undefined, { ...process.env, ...boot.mpvEnv }, boot.audioFallback);
  const env = { ...process.env, ...boot.mpvEnv };
  const display = boot.spare.video?.display;
  const slots = spareSlotPlan(boot.spare).map(
    ({ role, video, extraArgs }) =>
      new MpvSlot({
        role,
        instance: `spare-${process.pid}/${role}`,
        mpvPath: boot.mpvPath,
        audio: audio.output,
        extraArgs,
        video,
        hideWindow: video,
        env: video && display ? { ...env, DISPLAY: display } : env,
        reporter,
        onRestarted: async () => {},
      }),
  );
  onSlots(slots);
  await Promise.all(slots.map((s) => s.start()));
  await Promise.all(
    slots.map((s) =>
      s.client
        ? warmDemuxers(s.client, WARM_UP_TIMEOUT_MS).catch((err: Error) =>
            reporter.debug('spare mpv warm-up failed', { role: s.role, error: err.message }),
          )
        : undefined,
    ),
  );
  warmMessageParsing();
  ipc.send({ type: 'ready', mpv: slots.map((s) => s.info()) });
  reporter.debug('spare ready', { audio_output: audio.label });
  const stopBeating = spareHeartbeat(slots, ipc, boot.heartbeatIntervalMs);
  let preload: Adoption['preload'] = null;
  const background = slots.find((s) => s.role === 'background');
  const onPreload = (m: SupervisorToWorker) => {
    if (m.type !== 'preload' || preload || !background?.client) return;
    preload = preloadBackground(background.client, zoneAudio(audio, m.zone.audio_device).output.device, m, reporter);
  };
  ipc.on('message', onPreload);

  const msg = await adopted;
  stopBeating();
  ipc.off('message', onPreload);
  const zone = msg.zone;
  const { spare: _spare, zone: _none, ...base } = boot;
  const zoneBoot: Bootstrap = {
    ...base,
    zone,
    heartbeatIntervalMs: msg.heartbeat_interval_ms,
    ...(msg.resume ? { resume: msg.resume } : {}),
  };
  return {
    boot: zoneBoot,
    audio: zoneAudio(audio, zone.audio_device),
    slots: new PrespawnedSlots(slots),
    resume: msg.resume,
    preload,
  };
}

/**
 * After the zone is built around the spare's slots: give the running mpv the zone's client name and
 * point them at the zone's device
 * (set_property audio-device moves a stream in a few ms; a preload put the background there already),
 * give a video mpv the zone's force-window (mpv applies it from its next idle moment: the window opens
 * with the first image or video and stays after it), and close the slots no role took.
 */
export async function finishAdoption(adoption: Adoption, reporter: Reporter): Promise<void> {
  void adoption.slots.release();
  const device = adoption.audio.output.device;
  const set = (s: MpvSlot, property: string, value: string) =>
    s.client?.setProperty(property, value).catch((err: Error) =>
      reporter.send({
        type: 'warning',
        message: `${property} ${value} on ${s.role}: ${err.message}`,
        error_type: 'media_error',
      }),
    );
  // Setting the device again could reopen the preloaded background's output.
  const placed = (s: MpvSlot) => s.role === 'background' && adoption.preload !== null;
  const zone = adoption.boot.zone.name;
  await Promise.all(
    adoption.slots.adopted.flatMap((s) => [
      // Before the device: mpv names a stream when it opens it (the preload named the background already).
      ...(placed(s) ? [] : [set(s, 'audio-client-name', adoptedClientName(zone, s.role))]),
      ...(device && !placed(s) ? [set(s, 'audio-device', device)] : []),
      ...(s.role === 'video' ? [set(s, 'force-window', forceWindow(videoArgs(adoption.boot.zone)))] : []),
    ]),
  );
}

/** The force-window an mpv with these options has: mpv takes the last occurrence; its default is no. */
export function forceWindow(args: readonly string[]): string {
  let value = 'no';
  for (const a of args) {
    if (a === '--force-window') value = 'yes';
    else if (a === '--no-force-window') value = 'no';
    else if (a.startsWith('--force-window=')) value = a.slice('--force-window='.length);
  }
  return value;
}
