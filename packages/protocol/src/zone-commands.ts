import { z } from 'zod';
import { adjustVolume, bool, fadeTime, noArgs, num, reason, volume, withFileAlias } from './arg-schemas.js';
import { type CommandSpec, type SCREEN, screenSpec, specList, supervisorSpec, workerSpec } from './command-spec.js';
import { parseWith } from './command-table.js';
import { PFX_ZONE_COMMAND_SPECS, setVolumeArgs } from './pfx-commands.js';

/** Read-only mpv properties getMpvProperty may read: enough to verify playback, nothing that leaks files. */
export const MPV_READABLE_PROPERTIES = [
  'time-pos',
  'pause',
  'volume',
  'path',
  'idle-active',
  'duration',
  'current-ao',
  'audio-device',
  'loop-file',
  'mute',
  'eof-reached',
  'playback-time',
  'core-idle',
  // What mpv_audio_options / a screen's window options made of this mpv.
  'audio-buffer',
  'force-window',
  // The name the audio server keys a stream's restored mute and volume by (a spare's mpv get their zone's).
  'audio-client-name',
] as const;
const stopArgs = z.object({ fadeTime: fadeTime.optional() });

// ParadoxFX's volume keys on every play command; PxO sends `volumeAdjust` where ParadoxFX documents `adjustVolume`.
const itemVolume = {
  volume: volume.optional(),
  adjustVolume: adjustVolume.optional(),
  volumeAdjust: adjustVolume.optional(),
};
// ParadoxFX's `skipDucking` (and `skip_ducking`): a background played with it is never ducked; speech or video
// played with it does not duck the background.
const skipDucking = { skipDucking: bool.optional(), skip_ducking: bool.optional() };
// ParadoxFX's sign rule: a negative `ducking` ducks the background by that percent while the item plays;
// zero or positive does not duck (ParadoxFX's test scripts send 30..70 and expect playback without a duck).
const ducking = num(-100, 100).optional();

const playBackground = withFileAlias({
  ...itemVolume,
  ...skipDucking,
  loop: bool.optional(),
  fadeTime: fadeTime.optional(),
  fadeIn: fadeTime.optional(),
});
const playSpeech = withFileAlias({ ...itemVolume, ...skipDucking, ducking });
const playEffect = withFileAlias(itemVolume);
const playVideo = withFileAlias({
  ...itemVolume,
  ...skipDucking,
  ducking,
  loop: bool.optional(),
  channel: z.unknown().optional(),
});

/** Every zone command by name; the worker's and the supervisor's handler tables are typed over it. */
export const ZONE_COMMAND_SPECS = {
  playBackground: workerSpec(
    'Play background music once (loop: true repeats it; volume, adjustVolume, fadeIn, skipDucking).',
    playBackground,
    { mediaArgs: ['file'], aliases: ['playMusic', 'playBackgroundMusic'] },
  ),
  pauseBackground: workerSpec('Pause background music.', noArgs),
  resumeBackground: workerSpec('Resume paused background music.', noArgs),
  stopBackground: workerSpec('Stop background music (fadeTime seconds).', stopArgs, {
    aliases: ['stopMusic', 'stopBackgroundMusic'],
  }),
  setBackgroundMusicVolume: workerSpec('Set the background music volume (0-200).', z.object({ volume })),
  playSpeech: workerSpec(
    'Queue speech; a negative ducking (or the zone default) ducks background music while it plays.',
    playSpeech,
    { mediaArgs: ['file'] },
  ),
  pauseSpeech: workerSpec('Pause the current speech item.', noArgs),
  resumeSpeech: workerSpec('Resume the current speech item.', noArgs),
  skipSpeech: workerSpec('Skip the current speech item and play the next.', noArgs),
  stopSpeech: workerSpec('Stop speech and clear its queue (fadeTime seconds).', stopArgs),
  clearSpeechQueue: workerSpec('Stop the current speech item and drop the queue (as ParadoxFX).', noArgs),
  speechQueue: workerSpec('Report the speech queue.', noArgs),
  playSoundEffect: workerSpec('Play a sound effect at once, over anything else playing.', playEffect, {
    mediaArgs: ['file'],
    aliases: ['playAudioFX', 'playAudioFx', 'playEffect'],
  }),
  stopAllEffects: workerSpec('Stop every playing sound effect.', stopArgs, { aliases: ['stopAllAudioFx'] }),
  stopAudio: workerSpec('Stop background music, speech and effects (fadeTime seconds).', stopArgs),
  setVolume: workerSpec(
    'Set the zone volume {volume}, one base volume {type, volume}, or several {volumes: {background, speech, effects, video}}.',
    setVolumeArgs,
  ),
  // duck_id, not id: the envelope's id is the caller's command id and never reaches the handler.
  duck: workerSpec(
    'Lower background music by ducking_adjust (or amount) until unduck with the returned duck_id; a non-negative ducking is ignored (as ParadoxFX).',
    z.object({
      duck_id: z.string().max(64).optional(),
      amount: num(-100, 0).optional(),
      ducking: num(-100, 100).optional(),
    }),
  ),
  unduck: workerSpec(
    'Release a duck (by duck_id, or all of them).',
    z.object({ duck_id: z.string().max(64).optional() }),
  ),
  pauseAll: workerSpec('Pause every role of the zone.', noArgs),
  resumeAll: workerSpec('Resume every role paused by pauseAll.', noArgs),
  stopAll: workerSpec('Stop every role of the zone (fadeTime seconds).', stopArgs),
  getState: workerSpec('Publish and return the zone state.', noArgs, { aliases: ['getStatus'] }),
  getConfig: workerSpec("Return the zone's configuration.", noArgs),
  getMpvProperty: workerSpec(
    "Read one property straight from one of the zone's mpv instances (diagnostics: what mpv itself reports).",
    z.object({ role: z.string().min(1).max(32), property: z.enum(MPV_READABLE_PROPERTIES) }),
  ),
  setImage: screenSpec('Show an image on the screen (a video shows its first frame, paused).', withFileAlias({}), {
    mediaArgs: ['file'],
  }),
  playVideo: screenSpec('Play a video once (loop: true repeats it), or queue it after the current one.', playVideo, {
    mediaArgs: ['file'],
  }),
  stopVideo: screenSpec('Stop the video and clear its queue (fadeTime seconds).', stopArgs),
  pauseVideo: screenSpec('Pause the video.', noArgs),
  resumeVideo: screenSpec('Resume the video.', noArgs),
  skip: screenSpec('Skip to the next queued video.', noArgs, { aliases: ['skipVideo'] }),
  videoQueue: screenSpec('Report the video queue.', noArgs),
  clearQueue: screenSpec('Drop queued videos; the current one plays on.', noArgs),
  reset: supervisorSpec(
    'Reset this zone: soft lets speech finish, hard kills at once; preserve_state resumes what played.',
    z.object({ level: z.enum(['soft', 'hard']).optional(), preserve_state: bool.optional() }),
  ),
  restart: supervisorSpec("Restart this zone's worker.", z.object({ reason: reason.optional() })),
  status: supervisorSpec('Return the zone state with supervision facts.', noArgs),
  health_check: supervisorSpec("Check the zone's worker and mpv processes.", noArgs),
  ...PFX_ZONE_COMMAND_SPECS,
};
export type ZoneCommandSpecs = typeof ZONE_COMMAND_SPECS;
export type ZoneCommandName = keyof ZoneCommandSpecs;
/** The validated arguments a zone command's handler receives. */
export type ZoneArgs<K extends ZoneCommandName> = z.output<ZoneCommandSpecs[K]['args']>;
type NamesWhere<Shape> = { [K in ZoneCommandName]: ZoneCommandSpecs[K] extends Shape ? K : never }[ZoneCommandName];
export type WorkerCommandName = NamesWhere<{ handledBy: 'worker' }>;
export type ScreenCommandName = NamesWhere<{ kinds: typeof SCREEN }>;
/** Commands every zone kind's worker runs. */
export type CommonCommandName = Exclude<WorkerCommandName, ScreenCommandName>;
export type SupervisorZoneCommandName = NamesWhere<{ handledBy: 'supervisor' }>;

export const ZONE_COMMANDS: readonly CommandSpec[] = specList(ZONE_COMMAND_SPECS);

const WORKER_COMMANDS: ReadonlySet<string> = new Set(
  ZONE_COMMANDS.filter((s) => s.handledBy === 'worker').map((s) => s.name),
);
export const isWorkerCommand = (name: string): name is WorkerCommandName => WORKER_COMMANDS.has(name);
const SUPERVISOR_ZONE_COMMANDS: ReadonlySet<string> = new Set(
  ZONE_COMMANDS.filter((s) => s.handledBy === 'supervisor').map((s) => s.name),
);
export const isSupervisorZoneCommand = (name: string): name is SupervisorZoneCommandName =>
  SUPERVISOR_ZONE_COMMANDS.has(name);

// Checked by the compiler: each zone command's schema yields exactly its handler's argument type.
const ZONE_ARGS: { [K in ZoneCommandName]: { args: z.ZodType<ZoneArgs<K>> } } = ZONE_COMMAND_SPECS;

/** A zone command's arguments parsed against its schema; throws CommandError invalid_argument naming each bad field. */
export function parseZoneArgs<K extends ZoneCommandName>(name: K, raw: unknown): ZoneArgs<K> {
  return parseWith(name, ZONE_ARGS[name].args, raw);
}
