import type { ZoneConfig } from '@mpvisor/config';
import { isJsonObject, type CommandOutcome, type MediaEvent, type PfxEvent } from '@mpvisor/protocol';
import { relativeMedia } from './zones/pfx-state.js';

const ENDED: Readonly<Record<string, string>> = {
  ended: 'Full file played',
  stopped: 'Interrupted',
  skipped: 'Skipped',
  failed: 'Failed',
};
const DONE_COMMAND = { background: 'playBackground', speech: 'playSpeech', video: 'playVideo' } as const;

/** ParadoxFX's events for one of mpvisor's media events (starts and completions). */
export function pfxMediaEvents(zone: ZoneConfig, e: MediaEvent): PfxEvent[] {
  const file = relativeMedia(zone, e.file ?? null);
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (e.type === 'background' && e.state === 'started') {
    return [{ background_music_started: true, file, volume: num(e.detail?.volume), loop: e.detail?.loop === true }];
  }
  if (e.type === 'effect' && e.state === 'started')
    return [{ sound_effect_played: file, volume: num(e.detail?.volume) }];
  if (e.type === 'video' && e.state === 'started')
    return [{ command: 'playVideo', file, started: true, media_type: 'video' }];
  if (e.type === 'image' && e.state === 'shown')
    return [{ command: 'setImage', file, started: true, media_type: 'image' }];
  if ((e.type === 'background' || e.type === 'speech' || e.type === 'video') && ENDED[e.state]) {
    return [
      {
        command: DONE_COMMAND[e.type],
        file,
        done: true,
        message: ENDED[e.state]!,
        ...(e.type === 'video' ? { reason: e.state } : {}),
      },
    ];
  }
  return [];
}

const FLAGS: Readonly<Record<string, string>> = {
  pauseSpeech: 'speech_paused',
  resumeSpeech: 'speech_resumed',
  skipSpeech: 'speech_skipped',
  stopSpeech: 'speech_stopped',
  clearSpeechQueue: 'speech_queue_cleared',
  pauseBackground: 'background_music_paused',
  resumeBackground: 'background_music_resumed',
  stopAudio: 'all_audio_stopped',
  stopAll: 'all_media_stopped',
  pauseAll: 'all_media_paused',
  resumeAll: 'all_media_resumed',
  sleepScreen: 'screen_sleep',
  wakeScreen: 'screen_wake',
  recoverScreens: 'screens_recovered',
  restartPfx: 'pfx_restart_initiated',
};

const MALFORMED = new Set(['payload_too_large', 'invalid_json', 'not_an_object', 'too_deep']);

type Outcome = Pick<CommandOutcome, 'command' | 'outcome' | 'error_type' | 'message' | 'parameters' | 'result'>;

const obj = (v: unknown): Record<string, unknown> => (isJsonObject(v) ? v : {});

/** ParadoxFX's events that follow a command on a zone topic (its outcome is published separately). */
export function pfxCommandEvents(zone: ZoneConfig, o: Outcome): PfxEvent[] {
  const command = o.command ?? 'unknown';
  if (o.outcome === 'invalid') {
    return [
      {
        command_received: command,
        valid: false,
        error: o.error_type && MALFORMED.has(o.error_type) ? 'malformed_json' : 'validation_error',
        error_message: o.message,
      },
    ];
  }
  if (o.outcome === 'failed') {
    return o.error_type === 'internal'
      ? [{ command_received: command, valid: false, error: 'execution_error', error_message: o.message }]
      : [];
  }
  const args = o.parameters;
  const result = obj(o.result);
  const rel = (f: unknown) => relativeMedia(zone, typeof f === 'string' ? f : null) ?? '';
  switch (command) {
    case 'playSpeech': {
      const f = args.file ?? args.audio;
      return [
        {
          command_received: 'playSpeech',
          ...(typeof f === 'string' ? { file: f } : {}),
          ...(typeof args.volume === 'number' ? { volume: args.volume } : {}),
          ...(typeof args.ducking === 'number' ? { ducking: args.ducking } : {}),
          ...(typeof args.skipDucking === 'boolean' ? { skipDucking: args.skipDucking } : {}),
        },
      ];
    }
    case 'duck':
      if (result.manual_duck_ignored === true)
        return [{ manual_duck_ignored: true, reason: 'non_negative_value', requested: Number(result.requested) }];
      return typeof result.duck_id === 'string'
        ? [{ ducked: true, ducking_triggered: true, duck_id: result.duck_id }]
        : [];
    case 'unduck':
      return typeof args.duck_id === 'string'
        ? [{ unducked: true, duck_id: args.duck_id }]
        : [{ unducked_all_manual: true }];
    case 'videoQueue':
      return [{ video_queue: Array.isArray(result.video_queue) ? result.video_queue.map(rel) : [] }];
    case 'speechQueue':
    case 'audioQueue':
      return [{ speech_queue: Array.isArray(result.speech_queue) ? result.speech_queue.map(rel) : [] }];
    case 'setZoneVolume':
      return [{ zone_volume_changed: Number(result.volume) }];
    case 'setVolume':
      return args.type === undefined && args.volumes === undefined ? [{ volume_changed: Number(result.volume) }] : [];
    case 'stopBackground':
      return [{ command: 'stopBackground', message: "Command 'stopBackground' executed successfully" }];
    default: {
      const flag = FLAGS[command];
      // Cast: A computed key widens to string; flag is one of the event's flag names.
      return flag ? [{ [flag]: true } as PfxEvent] : [];
    }
  }
}
