// Parsing of `pactl -f json` output. Kept apart from the process calls so it is tested with recorded
// samples. PulseAudio 16 prints sinks' owner_module as a number but sink-inputs' owner_module and
// client as strings ("3"), and null where there is none: every numeric field is read either way.

/** The sink property that marks a sink as ours: its value is the installation id. */
export const OWNER_PROPERTY = 'mpvisor.owner';
/** The zone a sink was created for. */
export const ZONE_PROPERTY = 'mpvisor.zone';
/** The slaves we combined (a place to move streams to before unloading). */
export const SLAVES_PROPERTY = 'mpvisor.slaves';
/** Marks our holding sink (silent; streams wait there while their zone's output is gone). */
export const HOLD_PROPERTY = 'mpvisor.hold';

export interface PulseSink {
  index: number;
  name: string;
  state: string;
  driver: string;
  /** The module that created the sink; null for sinks no module owns. */
  owner_module: number | null;
  /** Muted at the sink (null when pactl did not say). */
  mute: boolean | null;
  /** The loudest channel's volume in percent (null when pactl did not say). */
  volume_percent: number | null;
  properties: Record<string, string>;
}

export interface PulseSinkInput {
  index: number;
  /** Index of the sink it plays to. */
  sink: number;
  owner_module: number | null;
  client: number | null;
  mute: boolean | null;
  corked: boolean | null;
  properties: Record<string, string>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-negative integer given as a number or a decimal string; anything else is null. */
export function intOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

function propsOf(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

const boolOf = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** `{"front-left": {"value_percent": "100%"}, ...}` -> the loudest channel in percent. */
export function volumePercentOf(v: unknown): number | null {
  if (!isObj(v)) return null;
  const levels = Object.values(v).flatMap((ch) => {
    const m = isObj(ch) && typeof ch.value_percent === 'string' ? /^(\d+)%$/.exec(ch.value_percent.trim()) : null;
    return m ? [Number(m[1])] : [];
  });
  return levels.length === 0 ? null : Math.max(...levels);
}

function listOf(text: string, what: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let v: unknown;
  try {
    v = JSON.parse(trimmed);
  } catch (err) {
    throw new Error(`pactl ${what}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(v)) throw new Error(`pactl ${what}: expected a JSON list`);
  return v;
}

/** `pactl -f json list sinks`. Entries without an index or a name are skipped, never guessed. */
export function parseSinks(text: string): PulseSink[] {
  const out: PulseSink[] = [];
  for (const e of listOf(text, 'list sinks')) {
    if (!isObj(e)) continue;
    const index = intOf(e.index);
    if (index === null || typeof e.name !== 'string') continue;
    out.push({
      index,
      name: e.name,
      state: typeof e.state === 'string' ? e.state : 'UNKNOWN',
      driver: typeof e.driver === 'string' ? e.driver : '',
      owner_module: intOf(e.owner_module),
      mute: boolOf(e.mute),
      volume_percent: volumePercentOf(e.volume),
      properties: propsOf(e.properties),
    });
  }
  return out;
}

/** `pactl -f json list sink-inputs`. */
export function parseSinkInputs(text: string): PulseSinkInput[] {
  const out: PulseSinkInput[] = [];
  for (const e of listOf(text, 'list sink-inputs')) {
    if (!isObj(e)) continue;
    const index = intOf(e.index);
    const sink = intOf(e.sink);
    if (index === null || sink === null) continue;
    out.push({
      index,
      sink,
      owner_module: intOf(e.owner_module),
      client: intOf(e.client),
      mute: boolOf(e.mute),
      corked: boolOf(e.corked),
      properties: propsOf(e.properties),
    });
  }
  return out;
}

/** True only when the sink carries our owner property with exactly this tag (installation id). */
export function isOurs(sink: PulseSink, tag: string): boolean {
  return tag !== '' && sink.properties[OWNER_PROPERTY] === tag;
}

/** Our sinks, optionally only those created for the given zones. */
export function ourSinks(sinks: readonly PulseSink[], tag: string, zones?: readonly string[]): PulseSink[] {
  return sinks.filter(
    (s) => isOurs(s, tag) && (zones === undefined || zones.includes(s.properties[ZONE_PROPERTY] ?? '')),
  );
}

/** Where a stream on `sink` goes before the sink is unloaded: its first slave that still exists, else the default sink. */
export function moveTarget(sink: PulseSink, all: readonly PulseSink[], defaultSink: string | null): string | null {
  const slaves = (sink.properties[SLAVES_PROPERTY] ?? sink.properties['combine.slaves'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const first = slaves.find((n) => n !== sink.name && all.some((s) => s.name === n));
  if (first) return first;
  if (defaultSink && defaultSink !== sink.name && all.some((s) => s.name === defaultSink)) return defaultSink;
  return all.find((s) => s.name !== sink.name && !isOurs(s, sink.properties[OWNER_PROPERTY] ?? ''))?.name ?? null;
}

/** The sink name of a combined-audio zone's combine sink; zone names are already limited to [A-Za-z0-9_.-]. */
export const combinedSinkName = (zone: string): string => `mpvisor_${zone}`;

/**
 * Our silent null sink: where a zone's streams wait while its own output is gone, so they never play
 * on another zone's output. One per installation (the tag tells two installations on one server apart).
 */
export const holdSinkName = (tag: string): string => `mpvisor_hold_${tag.slice(0, 8)}`;

/** Characters a sink name or property value may hold without quoting trouble in module arguments. */
export const SAFE_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/** `pulse/room_a` or `room_a` -> `room_a`; another driver (alsa/...) or an unsafe name -> null. */
export function sinkNameOf(device: string): string | null {
  const name = device.startsWith('pulse/') ? device.slice('pulse/'.length) : device.includes('/') ? null : device;
  return name !== null && SAFE_NAME.test(name) ? name : null;
}
