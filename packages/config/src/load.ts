import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseConfigText } from './parse-config.js';
import { ConfigError } from './problems.js';
import type { MpvisorConfig } from './types.js';
import { errorCode } from '@mpvisor/sys';

/** A pfx.ini is a few KiB; anything this big is the wrong file (a media file, a log). */
const MAX_CONFIG_BYTES = 1024 * 1024;

function readFailure(file: string, e: unknown): ConfigError {
  const code = errorCode(e) ?? '';
  const why =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : e instanceof Error
            ? e.message
            : String(e);
  return new ConfigError([{ severity: 'error', section: '', message: `cannot read ${file}: ${why}` }], file);
}

/** Reads and validates an INI file; throws ConfigError carrying every problem found. */
export async function loadConfigFile(file: string): Promise<MpvisorConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    const st = await stat(abs);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(
        [
          {
            severity: 'error',
            section: '',
            message: `${abs} is ${st.size} bytes; a configuration file is at most 1 MiB`,
          },
        ],
        abs,
      );
    }
    text = await readFile(abs, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw readFailure(abs, e);
  }
  const { config, problems } = parseConfigText(text, { sourceName: abs });
  if (!config) throw new ConfigError(problems, abs);
  return config;
}
