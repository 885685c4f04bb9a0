// Helpers for the zone keys that need more than a typed read: media folder, audio devices,
// volume model, mpv option strings.
import path from 'node:path';
import type { SectionReader } from './fields.js';
import { mpvOptionProblem } from './mpv-options.js';
import { isInside, splitArgs } from './values.js';

const VOLUME = { min: 0, max: 200 } as const;

/**
 * media_dir (or ParadoxFX's media_path) relative to media_base_path; empty means the base
 * itself. The result must stay inside the base: it is the boundary for every media command.
 */
export function readMediaDir(r: SectionReader, base: string): string {
  const hasDir = r.has('media_dir');
  if (hasDir && r.has('media_path')) r.warn('media_path', 'ignored: media_dir takes precedence');
  r.entry('media_path');
  const key = hasDir || !r.has('media_path') ? 'media_dir' : 'media_path';
  const raw = r.raw(key) ?? '';
  if (raw.includes('\0')) {
    r.error(key, 'path must not contain NUL characters');
    return base;
  }
  const resolved = path.resolve(base, raw);
  if (!isInside(base, resolved)) {
    r.error(key, `${JSON.stringify(raw)} resolves to ${resolved}, outside media_base_path (${base})`);
  }
  return resolved;
}

/** 'default', 'auto' and empty all mean "let mpv choose", which is mpv's own default. */
export function readDevice(r: SectionReader, key: string): string | undefined {
  const v = r.string(key);
  if (v === undefined || ['default', 'auto'].includes(v.toLowerCase())) return undefined;
  if (/\s/.test(v)) {
    r.error(key, `${JSON.stringify(v)} contains whitespace; audio device names look like pulse/alsa_output.NAME`);
    return undefined;
  }
  if (!v.includes('/')) r.warn(key, `${JSON.stringify(v)} has no driver prefix; mpv expects e.g. pulse/${v}`);
  return v;
}

/** `["pulse/a", "pulse/b"]` (ParadoxFX's JSON form) or `pulse/a, pulse/b`. */
export function readList(r: SectionReader, key: string): string[] {
  const v = r.string(key);
  if (v === undefined) return [];
  if (v.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed) && parsed.every((x): x is string => typeof x === 'string' && x.trim() !== '')) {
        return parsed.map((x) => x.trim());
      }
    } catch {
      // reported below
    }
    r.error(key, 'expected a JSON array of strings, e.g. ["pulse/a", "pulse/b"], or a comma-separated list');
    return [];
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function readMpvOptions(r: SectionReader, key: string): string[] {
  const v = r.string(key);
  if (v === undefined) return [];
  const { args, error } = splitArgs(v);
  if (error) {
    r.error(key, `${error} in mpv options`);
    return [];
  }
  const problems = args.map(mpvOptionProblem).filter((p): p is string => p !== null);
  for (const p of problems) r.error(key, p);
  return problems.length > 0 ? [] : args;
}

export interface Volumes {
  volume: number;
  background_volume: number;
  speech_volume: number;
  effects_volume: number;
  video_volume: number;
}

/**
 * ParadoxFX's unified model: per-type base volumes 0..200; a role without its own key takes the zone's
 * `volume` when that is set (ParadoxFX's legacy fallback), else 100.
 */
export function readVolumes(r: SectionReader, maxVolume: number): Volumes {
  const zoneVolume = r.num('volume', 100, VOLUME);
  let background = r.optNum('background_volume', VOLUME);
  if (r.has('background_music_volume')) {
    if (background === undefined && !r.has('background_volume')) {
      r.warn('background_music_volume', 'legacy ParadoxFX key, read as background_volume; please rename it');
      background = r.optNum('background_music_volume', VOLUME);
    } else {
      r.entry('background_music_volume');
      r.warn('background_music_volume', 'legacy ParadoxFX key, ignored because background_volume is set');
    }
  }
  const effects =
    r.optNum('effects_volume', VOLUME) ?? (r.has('effect_volume') ? r.optNum('effect_volume', VOLUME) : undefined);
  const v: Volumes = {
    volume: zoneVolume,
    background_volume: background ?? zoneVolume,
    speech_volume: r.num('speech_volume', zoneVolume, VOLUME),
    effects_volume: effects ?? zoneVolume,
    video_volume: r.num('video_volume', zoneVolume, VOLUME),
  };
  for (const [key, value] of Object.entries(v)) {
    if (value > maxVolume && r.has(key)) {
      r.warn(key, `${value} is above max_volume (${maxVolume}); playback is clamped to ${maxVolume}`);
    }
  }
  return v;
}

/**
 * ducking_adjust, else a zone's legacy ducking_volume translated as ParadoxFX does (70 -> -30), else
 * the global value; speech_ducking / video_ducking (-100..100, 0 = no duck) as each kind's default.
 */
export function readDucking(
  r: SectionReader,
  globalAdjust: number,
): { ducking_adjust: number; speech_ducking?: number; video_ducking?: number } {
  let adjust = r.optNum('ducking_adjust', { min: -100, max: 0 });
  const legacy = r.optNum('ducking_volume', { min: 0, max: 100 });
  if (legacy !== undefined) {
    if (adjust === undefined) {
      adjust = -(100 - legacy);
      r.warn('ducking_volume', `legacy ParadoxFX key, read as ducking_adjust = ${adjust}; please use ducking_adjust`);
    } else {
      r.warn('ducking_volume', 'legacy ParadoxFX key, ignored because ducking_adjust is set');
    }
  }
  const speech = r.optNum('speech_ducking', { min: -100, max: 100 });
  const video = r.optNum('video_ducking', { min: -100, max: 100 });
  return {
    ducking_adjust: adjust ?? globalAdjust,
    ...(speech !== undefined ? { speech_ducking: speech } : {}),
    ...(video !== undefined ? { video_ducking: video } : {}),
  };
}
