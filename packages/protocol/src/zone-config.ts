import { z } from 'zod';
import { ZONE_KINDS } from './zone-state.js';

// A zone's configuration after the INI reader has checked it (packages/config gives each problem its line).
// It crosses two process boundaries, the worker's stdin bootstrap and the `adopt` message, so its shape
// lives here, where both ends read it; keys keep the INI's snake_case, every time is in milliseconds.

export const RESTART_TYPES = ['permanent', 'transient', 'temporary'] as const;
export type RestartType = (typeof RESTART_TYPES)[number];

export const restartPolicyConfigSchema = z.object({
  restart_type: z.enum(RESTART_TYPES),
  restart_backoff_initial_ms: z.number(),
  restart_backoff_max_ms: z.number(),
  restart_backoff_factor: z.number(),
  restart_jitter: z.number(),
  max_restarts: z.number(),
  restart_window_ms: z.number(),
  stable_after_ms: z.number(),
  startup_timeout_ms: z.number(),
  heartbeat_timeout_ms: z.number(),
  health_interval_ms: z.number(),
  stop_timeout_ms: z.number(),
  max_rss_mb: z.number().optional(),
  max_cpu_percent: z.number().optional(),
  restart_on_resource_limit: z.boolean(),
});
export type RestartPolicyConfig = z.infer<typeof restartPolicyConfigSchema>;

export const zoneConfigSchema = z.object({
  /** The section id after the colon: `[audio:lobby]` -> `lobby`. */
  name: z.string().min(1),
  kind: z.enum(ZONE_KINDS),
  /** Section name without brackets, e.g. `audio:lobby`. */
  section: z.string(),
  /** Line of the section header. */
  line: z.number(),
  topic: z.string(),
  enabled: z.boolean(),
  /** Absolute; always inside global.media_base_path. */
  media_dir: z.string(),
  /** mpv --audio-device value; absent means mpv's default device. */
  audio_device: z.string().optional(),
  /** ParadoxFX's `volume`: the base of every role whose own *_volume key is absent (the zone master starts at 100). */
  volume: z.number(),
  max_volume: z.number(),
  background_volume: z.number(),
  speech_volume: z.number(),
  effects_volume: z.number(),
  video_volume: z.number(),
  ducking_adjust: z.number(),
  /** ParadoxFX's speech_ducking / video_ducking: the default `ducking` of a speech or video item (0 = no duck). */
  speech_ducking: z.number().optional(),
  video_ducking: z.number().optional(),
  /**
   * The devices the zone's own combine sink plays to: a combined-audio zone's sinks, or the one device of a
   * zone with `isolate_output` (empty otherwise).
   */
  combined_sinks: z.array(z.string()),
  /** The zone plays to a sink of its own bridged to its device (never moved), so its sound never reaches another output. */
  isolate_output: z.boolean(),
  primary_device: z.string().optional(),
  secondary_device: z.string().optional(),
  effects_pool_size: z.number(),
  /** How long after the zone is up its effect pool warms (keeps the pool's mpv off the start-up path). */
  effects_warm_delay_ms: z.number(),
  /** How long the effect voices beyond the pool stay after the zone's last effect. */
  effects_voice_idle_ms: z.number(),
  display: z.string().optional(),
  xinerama_screen: z.number().optional(),
  target_monitor: z.number().optional(),
  /** As written, relative to media_dir. */
  default_image: z.string().optional(),
  mpv_audio_options: z.array(z.string()),
  mpv_video_options: z.array(z.string()),
  video_queue_max: z.number(),
  audio_queue_max: z.number(),
  restart: restartPolicyConfigSchema,
});
export type ZoneConfig = z.infer<typeof zoneConfigSchema>;
