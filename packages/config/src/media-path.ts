// The media boundary: every file a command names must lie inside the zone's media folder.
// The lexical check runs first and alone decides for '..' and absolute paths; the realpath
// check at use time also catches symlinks that point out of the folder.
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './values.js';
import { errorCode } from '@mpvisor/sys';

export type MediaPathResult = { ok: true; path: string } | { ok: false; reason: 'outside' | 'empty' | 'invalid' };
export type MediaFileResult =
  | { ok: true; path: string }
  | { ok: false; reason: 'outside' | 'not_found' | 'not_readable' | 'not_a_file' | 'invalid' };

/**
 * Pure path arithmetic, no file system access. `requested` may be relative or absolute. An absolute
 * path outside the folder is read as ParadoxFX's audio zones read it, relative to the media folder
 * (`/intro.mp4` is `MEDIA/intro.mp4`), so a leading `/` never reaches outside it.
 */
export function resolveMediaPath(mediaDir: string, requested: string): MediaPathResult {
  if (typeof mediaDir !== 'string' || typeof requested !== 'string') return { ok: false, reason: 'invalid' };
  if (requested.includes('\0') || mediaDir.includes('\0') || mediaDir === '') return { ok: false, reason: 'invalid' };
  if (requested.trim() === '') return { ok: false, reason: 'empty' };
  const base = path.resolve(mediaDir);
  const asGiven = path.resolve(base, requested);
  const target =
    path.isAbsolute(requested) && !isInside(base, asGiven) ? path.resolve(base, `.${path.sep}${requested}`) : asGiven;
  if (!isInside(base, target)) return { ok: false, reason: 'outside' };
  return { ok: true, path: target };
}

function fsFailure(e: unknown): MediaFileResult {
  switch (errorCode(e)) {
    case 'EACCES':
    case 'EPERM':
      return { ok: false, reason: 'not_readable' };
    case 'ELOOP':
    case 'ENAMETOOLONG':
      return { ok: false, reason: 'invalid' };
    default:
      return { ok: false, reason: 'not_found' };
  }
}

/**
 * Resolves symlinks on both sides and checks again, so a link inside the folder that points
 * elsewhere is 'outside'. Returns the real path: play that, not the requested name, so that a
 * link swapped after the check cannot redirect playback.
 */
export async function resolveMediaFile(mediaDir: string, requested: string): Promise<MediaFileResult> {
  const lexical = resolveMediaPath(mediaDir, requested);
  if (!lexical.ok) return { ok: false, reason: lexical.reason === 'outside' ? 'outside' : 'invalid' };

  let realBase: string;
  let realTarget: string;
  try {
    realBase = await realpath(path.resolve(mediaDir));
  } catch (e) {
    return fsFailure(e);
  }
  try {
    realTarget = await realpath(lexical.path);
  } catch (e) {
    return fsFailure(e);
  }
  if (!isInside(realBase, realTarget)) return { ok: false, reason: 'outside' };

  try {
    const st = await stat(realTarget);
    if (!st.isFile()) return { ok: false, reason: 'not_a_file' };
    await access(realTarget, constants.R_OK);
  } catch (e) {
    return fsFailure(e);
  }
  return { ok: true, path: realTarget };
}
