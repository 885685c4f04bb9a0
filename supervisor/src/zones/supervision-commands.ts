import type { HandlerResult } from '@mpvisor/protocol';
import type { CommandHandler } from '../commands/dispatcher.js';
import type { ZoneRegistry } from '../zone-registry.js';

/**
 * The zone commands that supervision owns: `restart` (revives a failed zone) and `reset`. Until the
 * reset coordinator exists, a reset of either level is a restart with a fresh restart-policy record.
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
    [
      'reset',
      (z) => async (args): Promise<HandlerResult> => {
        const runner = zones.get(z)!;
        const level = args.level === 'hard' ? 'hard' : 'soft';
        const was = runner.state;
        await runner.restart(`reset command (${level})`);
        const note = args.preserve_state === true ? '; preserve_state is not supported yet and was ignored' : '';
        return {
          outcome: 'success',
          message: `zone ${z} reset (${level}): worker restarted with a fresh restart record${note}`,
          result: { level, previous_state: was, preserve_state: false },
        };
      },
    ],
  ];
}
