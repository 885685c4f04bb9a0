import { z } from 'zod';

const file = z.string().nullable();

/**
 * ParadoxFX's event payloads on `{zone topic}/events`, published beside mpvisor's own events and
 * outcomes (each also gets `timestamp` and `zone`). One schema per family, as ParadoxFX's code sends them.
 */
export const pfxEventSchema = z.union([
  z.object({ background_music_started: z.literal(true), file, volume: z.number(), loop: z.boolean() }),
  /** A play command's completion: `done: true` with how it ended. */
  z.object({
    command: z.enum(['playBackground', 'playSpeech', 'playVideo']),
    file,
    done: z.literal(true),
    message: z.string(),
    reason: z.string().optional(),
  }),
  /** A screen's start: a video or an image is now showing. */
  z.object({
    command: z.enum(['playVideo', 'setImage']),
    file,
    started: z.literal(true),
    media_type: z.enum(['video', 'image']),
  }),
  z.object({ command: z.literal('stopBackground'), message: z.string() }),
  z.object({
    command_received: z.string(),
    file: z.string().optional(),
    volume: z.number().optional(),
    ducking: z.number().optional(),
    skipDucking: z.boolean().optional(),
  }),
  z.object({
    command_received: z.string(),
    valid: z.literal(false),
    error: z.enum(['malformed_json', 'validation_error', 'execution_error']),
    error_message: z.string(),
  }),
  z.object({ sound_effect_played: file, volume: z.number() }),
  z.object({ ducked: z.literal(true), ducking_triggered: z.literal(true), duck_id: z.string() }),
  z.object({ manual_duck_ignored: z.literal(true), reason: z.literal('non_negative_value'), requested: z.number() }),
  z.object({ unducked: z.literal(true), duck_id: z.string() }),
  z.object({ unducked_all_manual: z.literal(true) }),
  z.object({ video_queue: z.array(z.string()) }),
  z.object({ speech_queue: z.array(z.string()) }),
  z.object({ volume_changed: z.number() }),
  z.object({ zone_volume_changed: z.number() }),
  /** One-key flags: speech_paused, background_music_resumed, all_media_stopped, screen_sleep, ... */
  z.record(
    z.enum([
      'speech_paused',
      'speech_resumed',
      'speech_skipped',
      'speech_stopped',
      'speech_queue_cleared',
      'background_music_paused',
      'background_music_resumed',
      'all_audio_stopped',
      'all_media_stopped',
      'all_media_paused',
      'all_media_resumed',
      'screen_sleep',
      'screen_wake',
      'screens_recovered',
      'pfx_restart_initiated',
    ]),
    z.literal(true),
  ),
]);
export type PfxEvent = z.infer<typeof pfxEventSchema>;
