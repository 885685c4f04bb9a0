import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private folder under the system temp dir; short, because Unix socket paths are limited to 107 bytes.
 * Removal retries: a process a test has just killed (Chromium writing its profile as it goes) can still
 * add a file while the folder is emptied (ENOTEMPTY).
 */
export function tempDir(prefix = 'mpv'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}
