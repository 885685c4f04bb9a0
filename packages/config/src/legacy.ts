// ParadoxFX keys mpvisor accepts without using them. Listing them keeps `config check` quiet
// about a pfx.ini that is correct for ParadoxFX, while a typo still gets an "unknown key" warning.
import type { SectionReader } from './fields.js';

/** [global] keys from the ParadoxFX corpus that tune ParadoxFX itself; kept in global.extra. */
export const GLOBAL_UNUSED: ReadonlySet<string> = new Set([
  'max_concurrent_videos',
  'max_concurrent_audio_streams',
  'enable_hardware_acceleration',
  'prefer_h264_codec',
  'gpu_memory_threshold',
  'preferred_video_player',
  'preferred_audio_player',
  'preferred_image_player',
]);

/** Deprecated by ParadoxFX's unified volume model; a warning tells the user what replaced them. */
export const GLOBAL_DEPRECATED: ReadonlyMap<string, string> = new Map([
  [
    'ducking_volume',
    "ducking_volume is a legacy ParadoxFX key and is ignored; use ducking_adjust (-100..0, default 0); a zone's ducking_volume is translated",
  ],
]);

/** Zone keys ParadoxFX reads that have no meaning for mpvisor (it always uses mpv). */
export const ZONE_UNUSED: ReadonlySet<string> = new Set([
  'name', // ParadoxFX's friendly name; mpvisor names a zone by its section id
  'mpv_video_profile',
  'monitor_geometry',
  'combined_sink_name',
  'combined_sink_description',
  'mpvOntop',
]);

export const ZONE_DEPRECATED: ReadonlyMap<string, string> = new Map();

/** Keys only screen zones use; in an audio zone they are accepted but have no effect. */
export const SCREEN_ONLY: readonly string[] = [
  'display',
  'xinerama_screen',
  'target_monitor',
  'default_image',
  'mpv_video_options',
  'video_queue_max',
];

/**
 * Reports what is left unread in a section: deprecated keys with their hint, tolerated keys
 * silently (handed to `keep` when given), anything else as unknown.
 */
export function reportLeftovers(
  r: SectionReader,
  tolerated: ReadonlySet<string>,
  deprecated: ReadonlyMap<string, string>,
  keep?: (key: string, value: string) => void,
): void {
  for (const e of r.unread()) {
    const hint = deprecated.get(e.key);
    if (hint !== undefined) {
      r.warn(e.key, hint, e.line);
      keep?.(e.key, e.value);
    } else if (tolerated.has(e.key)) {
      keep?.(e.key, e.value);
    } else {
      r.warn(e.key, `unknown key ${JSON.stringify(e.key)} in [${r.name}], ignored`, e.line);
    }
  }
}
