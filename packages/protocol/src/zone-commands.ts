import { z } from 'zod';
import { adjustVolume, bool, fadeTime, noArgs, num, reason, volume, withFileAlias } from './arg-schemas.js';
import { PFX_ZONE_COMMANDS, setVolumeArgs } from './pfx-commands.js';
import type { ZoneKind } from './zone-state.js';

export interface CommandSpec {
  name: string;
  aliases: readonly string[];
  description: string;
  args: z.ZodType;
  /** Zone commands run in the worker unless the supervisor owns them (reset, restart, status...). */
  handledBy: 'worker' | 'supervisor';
  /** Limits a command to some zone kinds (screen commands). Absent: every kind. */
  kinds?: readonly ZoneKind[];
  /** A longer bound than the default for commands that wait on a slow program (a browser's first window). */
  timeoutMs?: number;
  /** The arguments holding media paths, checked against the zone's media folder at the edge. */
  mediaArgs?: readonly string[];
}

const SCREEN = ['screen'] as const;

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

const w = (
  name: string,
  description: string,
  args: z.ZodType = noArgs,
  extra: Partial<CommandSpec> = {},
): CommandSpec => ({
  name,
  aliases: [],
  description,
  args,
  handledBy: 'worker',
  ...extra,
});

export const ZONE_COMMANDS: readonly CommandSpec[] = [
  w(
    'playBackground',
    'Play background music once (loop: true repeats it; volume, adjustVolume, fadeIn, skipDucking).',
    playBackground,
    {
      mediaArgs: ['file'],
      aliases: ['playMusic', 'playBackgroundMusic'],
    },
  ),
  w('pauseBackground', 'Pause background music.'),
  w('resumeBackground', 'Resume paused background music.'),
  w('stopBackground', 'Stop background music (fadeTime seconds).', stopArgs, {
    aliases: ['stopMusic', 'stopBackgroundMusic'],
  }),
  w('setBackgroundMusicVolume', 'Set the background music volume (0-200).', z.object({ volume })),
  w(
    'playSpeech',
    'Queue speech; a negative ducking (or the zone default) ducks background music while it plays.',
    playSpeech,
    { mediaArgs: ['file'] },
  ),
  w('pauseSpeech', 'Pause the current speech item.'),
  w('resumeSpeech', 'Resume the current speech item.'),
  w('skipSpeech', 'Skip the current speech item and play the next.'),
  w('stopSpeech', 'Stop speech and clear its queue (fadeTime seconds).', stopArgs),
  w('clearSpeechQueue', 'Stop the current speech item and drop the queue (as ParadoxFX).'),
  w('speechQueue', 'Report the speech queue.'),
  w('playSoundEffect', 'Play a sound effect at once, over anything else playing.', playEffect, {
    mediaArgs: ['file'],
    aliases: ['playAudioFX', 'playAudioFx', 'playEffect'],
  }),
  w('stopAllEffects', 'Stop every playing sound effect.', stopArgs, { aliases: ['stopAllAudioFx'] }),
  w('stopAudio', 'Stop background music, speech and effects (fadeTime seconds).', stopArgs),
  w(
    'setVolume',
    'Set the zone volume {volume}, one base volume {type, volume}, or several {volumes: {background, speech, effects, video}}.',
    setVolumeArgs,
  ),
  // duck_id, not id: the envelope's id is the caller's command id and never reaches the handler.
  w(
    'duck',
    'Lower background music by ducking_adjust (or amount) until unduck with the returned duck_id; a non-negative ducking is ignored (as ParadoxFX).',
    z.object({
      duck_id: z.string().max(64).optional(),
      amount: num(-100, 0).optional(),
      ducking: num(-100, 100).optional(),
    }),
  ),
  w('unduck', 'Release a duck (by duck_id, or all of them).', z.object({ duck_id: z.string().max(64).optional() })),
  w('pauseAll', 'Pause every role of the zone.'),
  w('resumeAll', 'Resume every role paused by pauseAll.'),
  w('stopAll', 'Stop every role of the zone (fadeTime seconds).', stopArgs),
  w('getState', 'Publish and return the zone state.', noArgs, { aliases: ['getStatus'] }),
  w('getConfig', "Return the zone's configuration."),
  w(
    'getMpvProperty',
    "Read one property straight from one of the zone's mpv instances (diagnostics: what mpv itself reports).",
    z.object({ role: z.string().min(1).max(32), property: z.enum(MPV_READABLE_PROPERTIES) }),
  ),
  w('setImage', 'Show an image on the screen (a video shows its first frame, paused).', withFileAlias({}), {
    mediaArgs: ['file'],
    kinds: SCREEN,
  }),
  w('playVideo', 'Play a video once (loop: true repeats it), or queue it after the current one.', playVideo, {
    mediaArgs: ['file'],
    kinds: SCREEN,
  }),
  w('stopVideo', 'Stop the video and clear its queue (fadeTime seconds).', stopArgs, { kinds: SCREEN }),
  w('pauseVideo', 'Pause the video.', noArgs, { kinds: SCREEN }),
  w('resumeVideo', 'Resume the video.', noArgs, { kinds: SCREEN }),
  w('skip', 'Skip to the next queued video.', noArgs, { kinds: SCREEN, aliases: ['skipVideo'] }),
  w('videoQueue', 'Report the video queue.', noArgs, { kinds: SCREEN }),
  w('clearQueue', 'Drop queued videos; the current one plays on.', noArgs, { kinds: SCREEN }),
  {
    name: 'reset',
    aliases: [],
    description: 'Reset this zone: soft lets speech finish, hard kills at once; preserve_state resumes what played.',
    args: z.object({ level: z.enum(['soft', 'hard']).optional(), preserve_state: bool.optional() }),
    handledBy: 'supervisor',
  },
  {
    name: 'restart',
    aliases: [],
    description: "Restart this zone's worker.",
    args: z.object({ reason: reason.optional() }),
    handledBy: 'supervisor',
  },
  {
    name: 'status',
    aliases: [],
    description: 'Return the zone state with supervision facts.',
    args: noArgs,
    handledBy: 'supervisor',
  },
  {
    name: 'health_check',
    aliases: [],
    description: "Check the zone's worker and mpv processes.",
    args: noArgs,
    handledBy: 'supervisor',
  },
  ...PFX_ZONE_COMMANDS,
];
