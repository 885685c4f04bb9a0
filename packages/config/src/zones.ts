// Zone sections: [audio:NAME], [screen:NAME], [combined-audio:NAME].
import type { SectionReader } from './fields.js';
import type { IniSection } from './ini-parse.js';
import { SCREEN_ONLY, ZONE_DEPRECATED, ZONE_UNUSED, reportLeftovers } from './legacy.js';
import { resolveMediaPath } from './media-path.js';
import { checkReachable, readRestartPolicy } from './restart.js';
import { asZoneKind } from './sections.js';
import { topicProblem, zoneNameProblem } from './values.js';
import { readDevice, readDucking, readList, readMediaDir, readMpvOptions, readVolumes } from './zone-fields.js';
import type { GlobalConfig, RestartPolicyConfig, ZoneConfig, ZoneKind } from './types.js';

export interface ZoneContext {
  baseTopic: string;
  global: GlobalConfig;
  restart: RestartPolicyConfig;
}

/** The `type` key may be omitted; when present it must agree with the section prefix. */
function resolveKind(r: SectionReader, prefix: ZoneKind, name: string): ZoneKind {
  const raw = r.string('type');
  if (raw === undefined) return prefix;
  const typed = asZoneKind(raw);
  if (!typed) {
    r.error('type', `unknown zone type ${JSON.stringify(raw)}: expected audio, screen or combined-audio`);
    return prefix;
  }
  // A combined-audio zone is an audio zone with a combined sink; ParadoxFX files may spell it either way.
  if (typed === prefix || (prefix === 'audio' && typed === 'combined-audio')) return typed;
  r.error('type', `type = ${typed} contradicts the section [${r.name}]; use [${typed}:${name}]`);
  return prefix;
}

function readDisplay(r: SectionReader): string | undefined {
  const v = r.string('display');
  if (v === undefined) return undefined;
  if (/\s/.test(v)) {
    r.error('display', `${JSON.stringify(v)} is not a display name (e.g. :0)`);
    return undefined;
  }
  // ParadoxFX examples write `display = 0` for X display :0.
  return /^\d+$/.test(v) ? `:${v}` : v;
}

function readCombined(r: SectionReader, z: ZoneConfig): void {
  z.combined_sinks = readList(r, 'combined_sinks');
  const primary = readDevice(r, 'primary_device');
  const secondary = readDevice(r, 'secondary_device');
  if (primary !== undefined) z.primary_device = primary;
  if (secondary !== undefined) z.secondary_device = secondary;
  if (z.kind === 'combined-audio') {
    if (z.combined_sinks.length === 0 && primary !== undefined && secondary !== undefined) {
      z.combined_sinks = [primary, secondary];
    }
    if (z.combined_sinks.length < 2) {
      r.error(
        'combined_sinks',
        'a combined-audio zone needs at least two sinks: combined_sinks = pulse/a, pulse/b (or primary_device and secondary_device)',
      );
    }
  } else if (z.combined_sinks.length > 0) {
    r.warn(
      'combined_sinks',
      `only combined-audio zones create a combined sink; to get one, write the section as [combined-audio:${z.name}]`,
    );
  }
}

/**
 * `isolate_output` (on unless the zone or [global] turns it off): a zone on a `pulse/NAME` device plays to
 * a null sink of its own, carried to its device by a loopback the audio server may not move. When the
 * device goes the server ends the loopback instead of rescuing the zone's stream to another room's sink,
 * so none of the zone's sound is heard elsewhere, not even for the tens of ms before a guard could react.
 * Only a `pulse/NAME` device can be bridged: a zone on another device (or the default one) is not
 * isolated, and says so only when its own section asked for it.
 */
function readIsolation(r: SectionReader, z: ZoneConfig, byDefault: boolean): void {
  const asked = r.has('isolate_output');
  if (!r.bool('isolate_output', byDefault)) return;
  if (z.kind === 'combined-audio') {
    if (asked)
      r.warn(
        'isolate_output',
        'a combined-audio zone plays to a combine sink of its own, which no server moves; ignored',
      );
    return;
  }
  const device = z.audio_device;
  if (device === undefined || !device.startsWith('pulse/')) {
    if (asked)
      r.warn(
        'isolate_output',
        `needs audio_device = pulse/NAME (a PulseAudio/PipeWire sink of its own), not ${device ?? 'the default device'}; ignored`,
      );
    return;
  }
  z.isolate_output = true;
  z.combined_sinks = [device];
}

function readScreenKeys(r: SectionReader, z: ZoneConfig): void {
  if (z.kind !== 'screen') {
    for (const k of SCREEN_ONLY) {
      if (r.has(k)) r.warn(k, `only used by screen zones; ignored in a ${z.kind} zone`);
      r.entry(k);
    }
    return;
  }
  const display = readDisplay(r);
  if (display !== undefined) z.display = display;
  const xin = r.optInt('xinerama_screen', { min: 0, max: 16 });
  if (xin !== undefined) z.xinerama_screen = xin;
  const mon = r.optInt('target_monitor', { min: 0, max: 16 });
  if (mon !== undefined) z.target_monitor = mon;
  const image = r.string('default_image');
  if (image !== undefined) {
    const res = resolveMediaPath(z.media_dir, image);
    if (res.ok) z.default_image = image;
    else
      r.error('default_image', `${JSON.stringify(image)} is not a file inside the zone's media folder (${res.reason})`);
  }
  z.mpv_video_options = readMpvOptions(r, 'mpv_video_options');
  z.video_queue_max = r.int('video_queue_max', 5, { min: 0, max: 1000 });
}

/**
 * Zones mpvisor makes a sink of their own for (named after the zone, see the pulse package): a combined-audio
 * zone's combine sink over its sinks, an isolated zone's null sink bridged to its one device. The supervisor
 * creates it, the worker plays to it and guards it.
 */
export const wantsOwnSink = (z: ZoneConfig): boolean =>
  (z.kind === 'combined-audio' && z.combined_sinks.length >= 2) || (z.isolate_output && z.combined_sinks.length === 1);

export function readZone(
  r: SectionReader,
  section: IniSection,
  prefix: ZoneKind,
  name: string,
  ctx: ZoneContext,
): ZoneConfig {
  const nameProblem = zoneNameProblem(name);
  if (nameProblem) r.error(undefined, nameProblem);
  // ParadoxFX's dual_output_mode audio zone (primary_device + secondary_device) is mpvisor's combined-audio zone.
  const dual = r.bool('dual_output_mode', false);
  const declared = resolveKind(r, prefix, name);
  const kind = dual && declared === 'audio' ? 'combined-audio' : declared;
  if (dual && prefix !== 'audio')
    r.warn('dual_output_mode', `only audio zones have a dual output; ignored in [${r.name}]`);
  const ownTopic = r.string('topic');
  const topic = ownTopic ?? `${ctx.baseTopic}/${name}`;
  const tp = ownTopic === undefined ? null : topicProblem(ownTopic);
  if (tp) r.error('topic', tp);

  const maxVolume = r.num('max_volume', ctx.global.max_volume, { min: 0, max: 200 });
  const { policy, overridden } = readRestartPolicy(r, ctx.restart);
  // The [system:main] defaults are checked once there; a zone is checked only if it changes them.
  if (overridden) checkReachable(r, policy);

  const z: ZoneConfig = {
    name,
    kind,
    section: section.name,
    line: section.line,
    topic,
    enabled: r.bool('enabled', true),
    media_dir: readMediaDir(r, ctx.global.media_base_path),
    ...readVolumes(r, maxVolume),
    max_volume: maxVolume,
    ...readDucking(r, ctx.global.ducking_adjust),
    combined_sinks: [],
    isolate_output: false,
    effects_pool_size: r.int('effects_pool_size', 2, { min: 0, max: 16 }),
    effects_warm_delay_ms: r.int('effects_warm_delay_ms', 5000, { min: 0, max: 600_000 }),
    effects_voice_idle_ms: r.int('effects_voice_idle_ms', 10_000, { min: 0, max: 3_600_000 }),
    mpv_audio_options: readMpvOptions(r, 'mpv_audio_options'),
    mpv_video_options: [],
    video_queue_max: 5,
    audio_queue_max: r.int('audio_queue_max', 5, { min: 0, max: 1000 }),
    restart: policy,
  };
  const device = readDevice(r, 'audio_device');
  if (device !== undefined) z.audio_device = device;
  readCombined(r, z);
  readIsolation(r, z, ctx.global.isolate_output);
  readScreenKeys(r, z);

  const player = r.string('player_type');
  if (player !== undefined && player.toLowerCase() !== 'mpv') {
    r.warn('player_type', `mpvisor always plays with mpv; player_type = ${player} is ignored`);
  }
  reportLeftovers(r, ZONE_UNUSED, ZONE_DEPRECATED);
  return z;
}
