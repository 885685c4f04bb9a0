import { HOST_COMMANDS, type HandlerResult } from '@mpvisor/protocol';
import type { CommandHandler } from './dispatcher.js';

export interface PfxZoneHandlerDeps {
  /** The zone `restart` handler: restartPfx restarts the zone it was sent to. */
  restart: (zone: string) => CommandHandler;
  /** The system topic's host command handlers (reboot, shutdown, killPfx). */
  systemHandlers: ReadonlyMap<string, CommandHandler>;
  allowHostCommands: boolean;
}

/**
 * ParadoxFX's process commands on zone topics. restartPfx restarts that zone (worker and mpv), not
 * the whole supervisor: the other rooms keep playing. Host commands keep their system-topic guard;
 * on a zone topic a disabled one is `failed` (ParadoxFX's controllers know failed, not invalid).
 */
export function pfxZoneHandlers(deps: PfxZoneHandlerDeps): Array<[string, (zone: string) => CommandHandler]> {
  const host = [...HOST_COMMANDS].map((name): [string, (zone: string) => CommandHandler] => [
    name,
    () =>
      async (args, spec, ctx): Promise<HandlerResult> => {
        if (!deps.allowHostCommands) {
          return {
            outcome: 'failed',
            error_type: 'disabled',
            message: `${name} is disabled; set allow_host_commands = true in [system:main] to enable it`,
          };
        }
        const handler = deps.systemHandlers.get(name);
        return handler
          ? handler(args, spec, ctx)
          : { outcome: 'failed', error_type: 'not_implemented', message: `${name} is not implemented yet` };
      },
  ]);
  return [
    [
      'restartPfx',
      (zone) => async (_args, spec, ctx) => deps.restart(zone)({ reason: 'restartPfx command' }, spec, ctx),
    ],
    ...host,
  ];
}
