// [global]: process-wide settings.
import path from 'node:path';
import type { SectionReader } from './fields.js';
import { GLOBAL_DEPRECATED, GLOBAL_UNUSED, reportLeftovers } from './legacy.js';
import { LOG_LEVELS } from '@mpvisor/protocol';
import { resolveFromConfig, topicProblem } from './values.js';
import type { AudioFallback, GlobalConfig, LogLevel } from './types.js';

export const DEFAULT_MEDIA_BASE_PATH = '/opt/paradox/media';
const MESSAGE_LEVELS = ['error', 'warn', 'warning', 'info', 'debug', 'trace'] as const;
/** The [global] keys that mqtt.ts may read (older ParadoxFX placed MQTT settings here). */
const GLOBAL_MQTT_KEYS = [
  'mqtt_broker',
  'mqtt_port',
  'mqtt_username',
  'mqtt_password',
  'mqtt_client_id',
  'device_name',
];

function readLogLevel(r: SectionReader): LogLevel {
  const v = r.string('log_level')?.toLowerCase();
  if (v === undefined) return 'info';
  if (v === 'warning') return 'warn';
  const found = LOG_LEVELS.find((l) => l === v);
  if (found) return found;
  r.error('log_level', `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}`);
  return 'info';
}

/**
 * ParadoxFX's heartbeat_interval is milliseconds, but example files write `30` meaning
 * seconds; a heartbeat every 30 ms would flood the broker, so small plain numbers are seconds.
 */
function readHeartbeatInterval(r: SectionReader): number {
  const key = 'heartbeat_interval';
  const v = r.durationValue(key);
  if (v === undefined) return 10_000;
  if (!r.hasUnit(key) && v > 0 && v < 1000) {
    r.warn(
      key,
      `${v} is taken as seconds (${v * 1000} ms); heartbeat_interval is in milliseconds, write ${v * 1000} or ${v}s`,
    );
    return r.inRange(key, v * 1000, { min: 1000, max: 86_400_000 }, ' ms') ?? 10_000;
  }
  return r.inRange(key, v, { min: 1000, max: 86_400_000 }, ' ms') ?? 10_000;
}

function optionalDir(r: SectionReader, key: string, baseDir: string): string | undefined {
  const v = r.string(key);
  return v === undefined ? undefined : resolveFromConfig(baseDir, v);
}

export function readGlobal(r: SectionReader, baseTopic: string, baseDir: string): GlobalConfig {
  for (const k of GLOBAL_MQTT_KEYS) r.entry(k); // already read (or reported) by readMqtt

  const mediaRaw = r.string('media_base_path') ?? DEFAULT_MEDIA_BASE_PATH;
  const mediaBase = resolveFromConfig(baseDir, mediaRaw);
  if (mediaRaw.includes('\0')) r.error('media_base_path', 'path must not contain NUL characters');

  // A derived topic is only checked through base_topic, so one bad base gives one error.
  const ownHeartbeatTopic = r.string('heartbeat_topic');
  const heartbeatTopic = ownHeartbeatTopic ?? `${baseTopic}/heartbeat`;
  const htProblem = ownHeartbeatTopic === undefined ? null : topicProblem(ownHeartbeatTopic);
  if (htProblem) r.error('heartbeat_topic', htProblem);

  // A bare `mpv` is looked up on PATH at spawn time; a path with a slash is a file path.
  const mpvRaw = r.string('mpv_path') ?? 'mpv';
  const mpvPath = mpvRaw.includes(path.sep) ? resolveFromConfig(baseDir, mpvRaw) : mpvRaw;

  const messageLevel = r.oneOf('message_level', MESSAGE_LEVELS, 'info');
  const g: GlobalConfig = {
    log_level: readLogLevel(r),
    message_level: messageLevel === 'warning' ? 'warn' : messageLevel,
    media_base_path: path.normalize(mediaBase),
    heartbeat_enabled: r.bool('heartbeat_enabled', true),
    heartbeat_interval_ms: readHeartbeatInterval(r),
    heartbeat_topic: heartbeatTopic,
    // ParadoxFX's default: a duck lowers the background by 0 % until ducking_adjust says otherwise.
    ducking_adjust: r.num('ducking_adjust', 0, { min: -100, max: 0 }),
    max_volume: r.num('max_volume', 150, { min: 0, max: 200 }),
    mpv_path: mpvPath,
    audio_fallback: r.oneOf<AudioFallback>('audio_fallback', ['null', 'fail'], 'null'),
    isolate_output: r.bool('isolate_output', true),
    extra: {},
  };
  const runDir = optionalDir(r, 'run_dir', baseDir);
  if (runDir !== undefined) g.run_dir = runDir;
  const stateDir = optionalDir(r, 'state_dir', baseDir);
  if (stateDir !== undefined) g.state_dir = stateDir;

  reportLeftovers(r, GLOBAL_UNUSED, GLOBAL_DEPRECATED, (k, v) => {
    g.extra[k] = v;
  });
  return g;
}
