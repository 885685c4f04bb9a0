import type { ZoneConfig } from '@mpvisor/config';
import type { IpcClient } from '@mpvisor/ipc';
import type { SpareBootstrap, SupervisorToWorker, WorkerResume, WorkerToSupervisor } from '@mpvisor/protocol';
import { chooseAudioOutput, type AudioChoice } from './audio-output.js';
import type { Bootstrap } from './bootstrap.js';
import { MpvSlot } from './mpv-slot.js';
import type { Reporter } from './reporter.js';
import { PrespawnedSlots } from './slot-provider.js';
import { warmDemuxers } from './warm-up.js';

type Ipc = IpcClient<SupervisorToWorker, WorkerToSupervisor>;
type AdoptMessage = Extract<SupervisorToWorker, { type: 'adopt' }>;

const WARM_UP_TIMEOUT_MS = 3000;

/** What a spare becomes once adopted: a zone's bootstrap, its audio output and the running slots. */
export interface Adoption {
  boot: Bootstrap;
  audio: AudioChoice;
  slots: PrespawnedSlots;
  resume: WorkerResume | undefined;
}

/** The slots a spare starts: the roles every audio zone has, with the most common effects pool. */
export function spareRoles(effects: number): string[] {
  return ['background', 'speech', ...Array.from({ length: effects }, (_, i) => `effect-${i}`)];
}

/**
 * The zone's audio output, derived from the spare's without probing again: all zones on a host share
 * the audio server's availability. The supervisor hands a spare only to zones whose device is a pulse
 * one (or none), so the output kind is the same; only the device differs, set at runtime on adoption.
 */
export function zoneAudio(spare: AudioChoice, device: string | undefined): AudioChoice {
  if (spare.output.ao !== 'pulse') return spare;
  const own = device && device !== 'pulse' ? device : undefined;
  return { output: { ao: 'pulse', ...(own ? { device: own } : {}) }, label: device ?? 'pulse', warning: null };
}

/**
 * A warm spare's life before it has a zone: choose the audio output as zones do, start the generic
 * slots idle with their demuxers warmed (warm-up.ts), report ready, wait for `adopt`. `onSlots` lets the caller close them if it must stop first.
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
  const slots = spareRoles(boot.spare.effects).map(
    (role) =>
      new MpvSlot({
        role,
        instance: `spare-${process.pid}/${role}`,
        mpvPath: boot.mpvPath,
        audio: audio.output,
        extraArgs: [],
        video: false,
        env,
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
  ipc.send({ type: 'ready', mpv: slots.map((s) => s.info()) });
  reporter.debug('spare ready', { audio_output: audio.label });

  const msg = await adopted;
  const zone = msg.zone as unknown as ZoneConfig;
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
  };
}

/**
 * After the zone is built around the spare's slots: point the running mpv at the zone's device
 * (set_property audio-device moves a stream in a few ms) and close the slots no role took.
 */
export async function finishAdoption(adoption: Adoption, reporter: Reporter): Promise<void> {
  void adoption.slots.release();
  const device = adoption.audio.output.device;
  if (!device) return;
  await Promise.all(
    adoption.slots.adopted.map((s) =>
      s.client?.setProperty('audio-device', device).catch((err: Error) =>
        reporter.send({
          type: 'warning',
          message: `audio-device ${device} on ${s.role}: ${err.message}`,
          error_type: 'media_error',
        }),
      ),
    ),
  );
}
