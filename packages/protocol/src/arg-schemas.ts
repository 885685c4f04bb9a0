import { z } from 'zod';
import { isJsonObject } from './json-limits.js';

/** Numbers may arrive as numeric strings from hand-typed mosquitto_pub lines; NaN and Infinity never pass. */
export const num = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v),
    z.number().finite().min(min).max(max),
  );

export const bool = z.preprocess((v) => {
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return v;
}, z.boolean());

/** A media path relative to the zone's media folder; NUL bytes and absurd lengths never reach the filesystem. */
export const mediaPath = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters')
  .refine((s) => !s.includes('\0'), 'must not contain NUL bytes');

export const volume = num(0, 200);
/** ParadoxFX's relative adjustment in percent. */
export const adjustVolume = num(-100, 100);
/** Seconds, as ParadoxFX's fadeTime. */
export const fadeTime = num(0, 60);
export const zoneName = z.string().min(1).max(64);
export const zoneList = z.array(zoneName).max(64);
export const reason = z.string().max(256);

const FILE_ALIASES = ['file', 'audio', 'video', 'image'] as const;

/** ParadoxFX names the media argument `audio`, `video`, `image` or `file` depending on the command. */
export function withFileAlias<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(
    (raw) => {
      if (!isJsonObject(raw)) return raw;
      const obj = { ...raw };
      if (obj.file === undefined) {
        for (const alias of FILE_ALIASES) {
          if (obj[alias] !== undefined) {
            obj.file = obj[alias];
            break;
          }
        }
      }
      for (const alias of FILE_ALIASES) if (alias !== 'file') delete obj[alias];
      return obj;
    },
    z.object({ file: mediaPath, ...shape }),
  );
}

export const noArgs = z.object({});
