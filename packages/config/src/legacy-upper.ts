// ParadoxFX's config loader still falls back to its old UPPER-case keys (`config.media_dir ||
// config.MEDIA_DIR`). mpvisor reads them the same way: under their current name, when that name is
// not set, with a warning asking for the rename.
import type { IniSection } from './ini-parse.js';
import type { Problems } from './problems.js';

const GLOBAL: ReadonlyMap<string, string> = new Map([
  ['MQTT_SERVER', 'mqtt_broker'],
  ['MQTT_PORT', 'mqtt_port'],
  ['MQTT_USERNAME', 'mqtt_username'],
  ['MQTT_PASSWORD', 'mqtt_password'],
  ['MQTT_CLIENT_ID', 'mqtt_client_id'],
  ['DEVICE_NAME', 'device_name'],
  ['HEARTBEAT_TOPIC', 'heartbeat_topic'],
  ['HEARTBEAT_INTERVAL_MS', 'heartbeat_interval'],
  ['HEARTBEAT_ENABLED', 'heartbeat_enabled'],
  ['LOG_LEVEL', 'log_level'],
  ['MEDIA_BASE_PATH', 'media_base_path'],
]);

const ZONE: ReadonlyMap<string, string> = new Map([
  ['DEVICE_TYPE', 'type'],
  ['BASE_TOPIC', 'topic'],
  ['DISPLAY', 'display'],
  ['TARGET_MONITOR', 'target_monitor'],
  ['MEDIA_DIR', 'media_dir'],
  ['AUDIO_DEVICE', 'audio_device'],
  ['PLAYER_TYPE', 'player_type'],
  ['VOLUME', 'volume'],
  ['DEFAULT_IMAGE', 'default_image'],
  ['VIDEO_QUEUE_MAX', 'video_queue_max'],
  ['AUDIO_QUEUE_MAX', 'audio_queue_max'],
  ['MPV_VIDEO_OPTIONS', 'mpv_video_options'],
  ['MPV_VIDEO_PROFILE', 'mpv_video_profile'],
]);

/** Renames the legacy keys of one section in place (a new section object; the parsed one is not touched). */
export function foldLegacyUpperKeys(section: IniSection, role: 'global' | 'zone', problems: Problems): IniSection {
  const map = role === 'global' ? GLOBAL : ZONE;
  const entries = new Map(section.entries);
  for (const [key, entry] of section.entries) {
    const current = map.get(key);
    if (current === undefined) continue;
    entries.delete(key);
    if (entries.has(current)) {
      problems.warn(section.name, key, entry.line, `legacy ParadoxFX key ${key} ignored: ${current} is set`);
    } else {
      entries.set(current, { ...entry, key: current });
      problems.warn(section.name, key, entry.line, `legacy ParadoxFX key ${key}, read as ${current}; please rename it`);
    }
  }
  return { ...section, entries };
}
