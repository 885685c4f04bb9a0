import type { HandlerResult } from '@mpvisor/protocol';
import type { CommandHandler } from '../commands/dispatcher.js';
import type { ZoneRegistry } from '../zone-registry.js';

/**
 * The zone command `restart` (also revives a failed zone): the worker killed and started again with a
 * fresh restart-policy record. The zone `reset` goes through the reset coordinator (reset/handlers.ts).
 */
export function supervisionHandlers(zones: ZoneRegistry): Array<[string, (zone: string) => CommandHandler]> {
  return [
    [
      'restart',
      (z) => async (args): Promise<HandlerResult> => {
        const runner = zones.get(z)!;
        const was = runner.state;
        await runner.restart(String(args.reason ?? 'restart command'));
        return { outcome: 'success', message: `zone ${z} restarted (was ${was})`, result: { previous_state: was } };
      },
    ],
  ];
}
