import type { Argv } from 'yargs';
import { RESET_TYPES } from '@mpvisor/protocol';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { runStreamed } from './streamed-command.js';
import type { ConnectFlags } from './transport.js';

export interface ResetFlags {
  zones: string[];
  hard: boolean;
  type?: string;
  preserveState: boolean;
  force: boolean;
  timeout?: number;
  json: boolean;
}

/**
 * The payload for a reset. Plain `mpvisor reset [ZONE...] [--hard] [--preserve-state]` is the system
 * `reset` command (soft unless --hard); --type, --force or --timeout make it a `system_reset`
 * (type full unless given), which has no hard level: use --force to skip the drain there.
 */
export function resetPayload(f: ResetFlags): Record<string, unknown> {
  const zones = f.zones.length > 0 ? { zones: f.zones } : {};
  const extended = f.type !== undefined || f.force || f.timeout !== undefined;
  if (!extended)
    return {
      command: 'reset',
      level: f.hard ? 'hard' : 'soft',
      ...zones,
      ...(f.preserveState ? { preserve_state: true } : {}),
    };
  if (f.hard)
    throw new CliError(
      '--hard applies to a plain reset; with --type/--force/--timeout use --force to skip the graceful drain',
      EXIT.usage,
    );
  return {
    command: 'system_reset',
    type: f.type ?? 'full',
    ...zones,
    preserve_state: f.preserveState,
    force: f.force,
    ...(f.timeout !== undefined ? { timeout: f.timeout } : {}),
  };
}

export function reset(flags: ConnectFlags, f: ResetFlags): Promise<number> {
  const payload = resetPayload(f);
  const timeoutMs = ((f.timeout ?? 30) + 15) * 1000;
  return runStreamed(flags, {
    payload,
    timeoutMs,
    json: f.json,
    statusType: 'system_reset_status',
    label: String(payload.command),
  });
}

export const registerReset = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'reset [zones..]',
    'Reset zones (all by default): soft lets speech finish, --hard kills at once',
    (a) =>
      a
        .positional('zones', {
          type: 'string',
          array: true,
          default: [],
          describe: 'zone names; none means every zone',
        })
        .option('hard', { type: 'boolean', default: false, describe: 'SIGKILL, no drain (plain reset only)' })
        .option('type', {
          type: 'string',
          choices: [...RESET_TYPES],
          describe: 'system_reset type: full, audio, sockets or orphans',
        })
        .option('preserve-state', {
          type: 'boolean',
          default: false,
          describe: 'resume what was playing after the reset',
        })
        .option('force', { type: 'boolean', default: false, describe: 'system_reset: skip the graceful drain' })
        .option('timeout', { type: 'number', describe: 'system_reset: seconds before the reset gives up (1-600)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the outcome as one JSON document' })
        .example('mpvisor reset lobby', 'soft reset of zone lobby')
        .example('mpvisor reset --hard', 'hard reset of every zone')
        .example('mpvisor reset --type audio --preserve-state lobby bar', 'reset audio outputs, resume playback')
        .example('mpvisor reset --type full --force --timeout 10', 'full reset, no drain, 10 s bound'),
    (a) => {
      return guard(() =>
        reset(a, {
          zones: (a.zones ?? []).map(String),
          hard: a.hard,
          ...(a.type !== undefined ? { type: a.type } : {}),
          preserveState: a.preserveState,
          force: a.force,
          ...(a.timeout !== undefined ? { timeout: a.timeout } : {}),
          json: a.json,
        }),
      );
    },
  );
