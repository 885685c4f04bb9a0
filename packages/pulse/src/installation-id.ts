import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@mpvisor/sys';
import { join } from 'node:path';

export const INSTALLATION_ID_FILE = 'installation-id';

/**
 * This installation's random id, kept in `{stateDir}/installation-id` (created on first use). It tags
 * the PulseAudio sinks we create, so we find ours again (even after a crash) and never touch others.
 */
export async function installationId(stateDir: string): Promise<string> {
  const file = join(stateDir, INSTALLATION_ID_FILE);
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (/^[a-f0-9]{8,64}$/.test(id)) return id;
  } catch (err) {
    if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT')) throw err;
  }
  const id = randomBytes(8).toString('hex');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${id}\n`);
  return id;
}
