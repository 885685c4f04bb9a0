import path from 'node:path';
import type { Argv } from 'yargs';
import { runStreamed } from './streamed-command.js';
import type { ConnectFlags } from './transport.js';

export interface ReloadFlags {
  /** Another INI file to switch to; absent: the file the supervisor runs from. */
  file?: string;
  json: boolean;
}

/** `mpvisor reload [FILE]`: the system `reload_config` command, its phases streamed to the terminal. */
export function reload(flags: ConnectFlags, f: ReloadFlags): Promise<number> {
  // The supervisor resolves paths against its own working directory: send an absolute one.
  const payload = { command: 'reload_config', ...(f.file !== undefined ? { file: path.resolve(f.file) } : {}) };
  return runStreamed(flags, {
    payload,
    timeoutMs: 60_000,
    json: f.json,
    statusType: 'system_reload_status',
    label: 'reload',
  });
}

export const registerReload = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'reload [file]',
    'Validate the config file, then apply what changed: new zones start, removed stop, changed restart; the rest keep playing',
    (a) =>
      a
        .positional('file', {
          type: 'string',
          describe: 'INI file to switch to (default: the file the supervisor runs from)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print the outcome as one JSON document' })
        .example('mpvisor reload', 're-read the running config file (as systemctl reload mpvisor does)')
        .example('mpvisor reload /etc/mpvisor/pfx-new.ini', 'switch to another file')
        .epilogue(
          'An invalid file changes nothing: every problem is printed (section, key, line) and the exit code is 1.',
        ),
    (a) => {
      return guard(() => reload(a, { ...(a.file !== undefined ? { file: String(a.file) } : {}), json: a.json }));
    },
  );
