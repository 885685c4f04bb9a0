import type { Argv } from 'yargs';
import { EXIT } from './exit-codes.js';
import { outcomeExit, outcomeLine, printJson } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';

const COMMANDS = { orphans: 'cleanup_orphans', sockets: 'reset_sockets' } as const;

/** `mpvisor cleanup orphans|sockets`: the system cleanup_orphans / reset_sockets command. */
export async function cleanup(flags: ConnectFlags, what: keyof typeof COMMANDS, json: boolean): Promise<number> {
  const outcome = await withTransport(flags, (t) =>
    t.command({ kind: 'system' }, { command: COMMANDS[what] }, { timeoutMs: 30_000 }),
  );
  if (json) printJson(outcome);
  else if (outcomeExit(outcome) === EXIT.ok) {
    process.stdout.write(`${outcomeLine(outcome)}\n`);
    if (outcome.result !== null && outcome.result !== undefined) printJson(outcome.result);
  } else process.stderr.write(`mpvisor: ${COMMANDS[what]} ${outcomeLine(outcome)}\n`);
  return outcomeExit(outcome);
}

export const registerCleanup = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'cleanup <what>',
    'Kill our orphaned mpv processes, or remove stale sockets (never a live one)',
    (a) =>
      a
        .positional('what', { choices: ['orphans', 'sockets'] as const, demandOption: true })
        .option('json', { type: 'boolean', default: false, describe: 'Print the outcome as one JSON document' })
        .example('mpvisor cleanup orphans', 'mpv of ours whose worker is gone')
        .example('mpvisor cleanup sockets', 'dead socket files of ours and of ParadoxFX'),
    (a) => {
      return guard(() => cleanup(a, a.what, a.json));
    },
  );
