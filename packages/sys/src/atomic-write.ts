import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600: state files are ours alone). */
  mode?: number;
  /**
   * false skips both fsyncs: for files that are regenerated when found wrong (demo media), where a
   * power cut costs nothing and a sync costs seconds on a busy SD card. Default true.
   */
  durable?: boolean;
  /** Called between the synced temp file and the rename; tests use it to simulate a crash there. */
  beforeRename?: (tmp: string) => Promise<void> | void;
}

let seq = 0;

/**
 * Replaces `file` so that a reader, or the next start after a crash or power loss, sees either the old
 * content or the new one, never a mix: write a temp file beside it, fsync it, rename it over the target,
 * then fsync the folder (the rename itself is durable only once the folder is synced).
 * Temp files are named `<file>.<pid>.<n>.tmp`; a crash can leave one behind, which is never read.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${file}.${process.pid}.${++seq}.tmp`;
  const fh = await open(tmp, 'w', opts.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    if (opts.durable !== false) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await opts.beforeRename?.(tmp);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (opts.durable === false) return;
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** True for the temp files writeFileAtomic leaves when interrupted: `<base>.<pid>.<n>.tmp`. */
export function isAtomicTempOf(base: string, name: string): boolean {
  return name.startsWith(`${base}.`) && /\.\d+\.\d+\.tmp$/.test(name);
}
