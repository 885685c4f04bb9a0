import path from 'node:path';
import type { Argv } from 'yargs';
import { EXIT } from './exit-codes.js';
import { outcomeExit, outcomeLine, printJson } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';

export interface ReloadFlags {
  /** Another INI file to switch to; absent: the file the supervisor runs from. */
  file?: string;
  json: boolean;
}

function phaseLine(ev: unknown): string | null {
  const e = ev as {
    type?: string;
    phase?: string;
    progress?: Record<string, unknown>;
    errors?: string[];
    duration_ms?: number;
  };
  if (e?.type !== 'system_reload_status') return null;
  const progress = Object.entries(e.progress ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const errors = e.errors?.length ? `\n  ${e.errors.join('\n  ')}` : '';
  return `reload ${e.phase ?? '?'}  ${progress}${e.duration_ms !== undefined ? `  ${e.duration_ms} ms` : ''}${errors}`;
}

/** `mpvisor reload [FILE]`: the system `reload_config` command, its phases streamed to the terminal. */
export async function reload(flags: ConnectFlags, f: ReloadFlags): Promise<number> {
  // The supervisor resolves paths against its own working directory: send an absolute one.
  const payload = { command: 'reload_config', ...(f.file !== undefined ? { file: path.resolve(f.file) } : {}) };
  const outcome = await withTransport(flags, (t) =>
    t.command({ kind: 'system' }, payload, {
      timeoutMs: 60_000,
      onProgress: (ev) => {
        const line = phaseLine(ev);
        if (line && !f.json) process.stdout.write(`${line}\n`);
      },
    }),
  );
  if (f.json) printJson(outcome);
  else {
    const line = outcomeLine(outcome);
    if (outcomeExit(outcome) === EXIT.ok) process.stdout.write(`${line}\n`);
    else process.stderr.write(`mpvisor: reload ${line}\n`);
  }
  return outcomeExit(outcome);
}

export const registerReload = <T>(y: Argv<T>, guard: (fn: () => Promise<number>) => Promise<void>) =>
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
      const x = a as unknown as ConnectFlags & ReloadFlags;
      return guard(() => reload(x, { ...(x.file !== undefined ? { file: String(x.file) } : {}), json: x.json }));
    },
  );
