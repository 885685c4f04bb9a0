import { isJsonObject } from '@mpvisor/protocol';
import type { Argv } from 'yargs';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { outcomeExit, outcomeLine, printJson } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';
import { errorMessage } from '@mpvisor/sys';

/** `mpvisor send ZONE|system JSON`: one command, its outcome printed, exit 0 on success or warning. */
export async function send(flags: ConnectFlags, target: string, payload: string, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(payload);
    if (!isJsonObject(parsed)) throw new Error('not a JSON object');
    body = parsed;
  } catch (err) {
    throw new CliError(
      `the payload must be a JSON object, e.g. '{"command":"getState"}': ${errorMessage(err)}`,
      EXIT.usage,
    );
  }
  const outcome = await withTransport(flags, (t) =>
    t.command(target === 'system' ? { kind: 'system' } : { kind: 'zone', zone: target }, body, { timeoutMs: 30_000 }),
  );
  if (json) printJson(outcome);
  else {
    process.stdout.write(`${outcomeLine(outcome)}\n`);
    if (outcome.result !== null && outcome.result !== undefined) printJson(outcome.result);
  }
  return outcomeExit(outcome);
}

export const registerSend = <T extends ConnectFlags>(y: Argv<T>, guard: (fn: () => Promise<number>) => Promise<void>) =>
  y.command(
    'send <target> <payload>',
    'Send one command to a zone (or "system") and print its outcome',
    (a) =>
      a
        .positional('target', { type: 'string', demandOption: true, describe: 'zone name, or "system"' })
        .positional('payload', { type: 'string', demandOption: true, describe: 'the command as a JSON object' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the outcome as one JSON document' })
        .example(`mpvisor send lobby '{"command":"playBackground","file":"tone-220.wav"}'`, 'play music in zone lobby')
        .example(`mpvisor send system '{"command":"help"}'`, 'list the system commands'),
    (a) => {
      return guard(() => send(a, a.target, a.payload, a.json));
    },
  );
