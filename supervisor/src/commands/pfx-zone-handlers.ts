import type { HandlerResult } from '@mpvisor/protocol';
import type { SystemHandlers } from './dispatcher.js';
import type { SupervisorZoneHandlers, ZoneHandler } from './zone-routing.js';

export interface PfxZoneHandlerDeps {
  /** The zone `restart` handler: restartPfx restarts the zone it was sent to. */
  restart: ZoneHandler<'restart'>;
  /** The system topic's host command handlers (reboot, shutdown, killPfx). */
  systemHandlers: Pick<SystemHandlers, 'reboot' | 'shutdown' | 'killPfx'>;
  allowHostCommands: boolean;
}

/**
 * ParadoxFX's process commands on zone topics. restartPfx restarts that zone (worker and mpv), not
 * the whole supervisor: the other rooms keep playing. Host commands keep their system-topic guard;
 * on a zone topic a disabled one is `failed` (ParadoxFX's controllers know failed, not invalid).
 */
export function pfxZoneHandlers(deps: PfxZoneHandlerDeps) {
  const host =
    (name: 'reboot' | 'shutdown' | 'killPfx'): ZoneHandler<typeof name> =>
    () =>
    async (args, spec, ctx): Promise<HandlerResult> => {
      if (!deps.allowHostCommands) {
        return {
          outcome: 'failed',
          error_type: 'disabled',
          message: `${name} is disabled; set allow_host_commands = true in [system:main] to enable it`,
        };
      }
      return deps.systemHandlers[name](args, spec, ctx);
    };
  return {
    restartPfx: (zone) => async (_args, spec, ctx) => deps.restart(zone)({ reason: 'restartPfx command' }, spec, ctx),
    reboot: host('reboot'),
    shutdown: host('shutdown'),
    killPfx: host('killPfx'),
  } satisfies Partial<SupervisorZoneHandlers>;
}
