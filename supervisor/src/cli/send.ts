import type { CommandOutcome } from '@mpvisor/protocol';
import { controlRequest } from './control-client.js';
import { EXIT } from './exit-codes.js';

/** `mpvisor send ZONE|system JSON`: one command, its outcome printed, exit 0 on success or warning. */
export async function send(socketPath: string, target: string, payload: string, json: boolean): Promise<number> {
  const reply = await controlRequest(
    socketPath,
    { verb: 'command', target: target === 'system' ? { kind: 'system' } : { kind: 'zone', zone: target }, payload },
    30_000,
  );
  const outcome = reply.data as CommandOutcome;
  if (json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  else {
    process.stdout.write(`${outcome.outcome}: ${outcome.message}${outcome.error_type ? ` (${outcome.error_type})` : ''}\n`);
    if (outcome.result !== null && outcome.result !== undefined) process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
  }
  if (outcome.outcome === 'success' || outcome.outcome === 'warning') return EXIT.ok;
  return outcome.outcome === 'invalid' ? EXIT.usage : EXIT.failed;
}
