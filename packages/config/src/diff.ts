import type { MpvisorConfig, ZoneConfig } from './types.js';

/** Per-role base volumes: a running zone takes them with one setVolume {volumes}. */
export const ROLE_VOLUME_KEYS = {
  background_volume: 'background',
  speech_volume: 'speech',
  effects_volume: 'effects',
  video_volume: 'video',
} as const;

/** Zone keys a running zone takes without a restart: its volumes (setVolume) and its resource limits. */
const IN_PLACE = new Set([
  'volume',
  ...Object.keys(ROLE_VOLUME_KEYS),
  'restart.max_rss_mb',
  'restart.max_cpu_percent',
  'restart.restart_on_resource_limit',
]);
/** Where a zone's section sits in the file says nothing about the zone. */
const IGNORED_ZONE_KEYS = new Set(['line']);

export interface ZoneChange {
  before: ZoneConfig;
  after: ZoneConfig;
  /** What differs, `restart.` prefixed for the zone's restart policy keys. */
  keys: string[];
}

/** What a reload has to do to go from one configuration to another. */
export interface ConfigDiff {
  added: ZoneConfig[];
  removed: ZoneConfig[];
  /** Zones whose worker must restart (a key outside IN_PLACE differs). */
  restarted: ZoneChange[];
  /** Zones where only IN_PLACE keys differ. */
  inPlace: ZoneChange[];
  unchanged: string[];
  /** `[mqtt]` keys that differ: the link reconnects when there is any. */
  mqtt: string[];
  /** `[global]` and `[system:main]` keys that differ, as `global.key` / `system.key`. */
  other: string[];
}

/** Structural equality of config values (plain data: strings, numbers, booleans, arrays, objects). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return changedKeys(a, b).length === 0;
}

/** Keys whose values differ; a key missing on one side counts as undefined there. */
function changedKeys(a: object, b: object, prefix = '', ignore: ReadonlySet<string> = new Set()): string[] {
  const va = new Map(Object.entries(a));
  const vb = new Map(Object.entries(b));
  const keys = [...new Set([...va.keys(), ...vb.keys()])].filter((k) => !ignore.has(k));
  return keys.filter((k) => !sameValue(va.get(k), vb.get(k))).map((k) => `${prefix}${k}`);
}

function zoneKeys(before: ZoneConfig, after: ZoneConfig): string[] {
  const { restart: rb, ...b } = before;
  const { restart: ra, ...a } = after;
  return [...changedKeys(b, a, '', IGNORED_ZONE_KEYS), ...changedKeys(rb, ra, 'restart.')];
}

/** Enabled zones are what runs; a zone disabled in the new file is removed, one enabled is added. */
export function diffConfigs(before: MpvisorConfig, after: MpvisorConfig): ConfigDiff {
  const was = new Map(before.zones.filter((z) => z.enabled).map((z) => [z.name, z]));
  const now = new Map(after.zones.filter((z) => z.enabled).map((z) => [z.name, z]));
  const diff: ConfigDiff = { added: [], removed: [], restarted: [], inPlace: [], unchanged: [], mqtt: [], other: [] };
  for (const [name, z] of was) if (!now.has(name)) diff.removed.push(z);
  for (const [name, after] of now) {
    const prev = was.get(name);
    if (!prev) {
      diff.added.push(after);
      continue;
    }
    const keys = zoneKeys(prev, after);
    if (keys.length === 0) diff.unchanged.push(name);
    else if (keys.every((k) => IN_PLACE.has(k))) diff.inPlace.push({ before: prev, after, keys });
    else diff.restarted.push({ before: prev, after, keys });
  }
  diff.mqtt = changedKeys(before.mqtt, after.mqtt, 'mqtt.');
  diff.other = [
    ...changedKeys(before.global, after.global, 'global.'),
    ...changedKeys(before.system, after.system, 'system.'),
  ];
  return diff;
}
