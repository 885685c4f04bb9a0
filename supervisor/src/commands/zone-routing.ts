import { resolveMediaPath, type ZoneConfig } from '@mpvisor/config';
import {
  CommandError,
  type CommandSpec,
  type HandlerResult,
  isSupervisorZoneCommand,
  parseZoneArgs,
  type SupervisorZoneCommandName,
  type ZoneArgs,
} from '@mpvisor/protocol';
import type { ZoneRegistry } from '../zone-registry.js';
import type { CommandContext, CommandHandler } from './dispatcher.js';

/** A zone command the supervisor answers, for one zone: its arguments as the command's schema outputs them. */
export type ZoneHandler<K extends SupervisorZoneCommandName> = (
  zone: string,
) => (args: ZoneArgs<K>, spec: CommandSpec, ctx: CommandContext) => Promise<HandlerResult>;

/** A handler for every zone command the supervisor owns: a missing or misnamed one fails to compile. */
export type SupervisorZoneHandlers = { [K in SupervisorZoneCommandName]: ZoneHandler<K> };

export interface ZoneRoutingDeps {
  zones: ZoneRegistry;
  configOf: (zone: string) => ZoneConfig | undefined;
  /** Handlers for zone commands the supervisor owns (reset, restart, status, health_check, ParadoxFX's). */
  supervisorHandlers: SupervisorZoneHandlers;
  workerTimeoutMs: number;
}

function bindSupervisorHandler<K extends SupervisorZoneCommandName>(
  handlers: SupervisorZoneHandlers,
  command: K,
  zone: string,
  raw: Record<string, unknown>,
): CommandHandler {
  const make: ZoneHandler<K> = handlers[command];
  const run = make(zone);
  const args = parseZoneArgs(command, raw);
  return (_args, spec, ctx) => run(args, spec, ctx);
}

/**
 * Decides where a zone command goes. Media paths are checked here, at the edge, before anything
 * reaches a worker; the worker checks the real file (symlinks, existence) again at use.
 */
export function makeZoneHandler(deps: ZoneRoutingDeps) {
  return (zone: string, spec: CommandSpec, args: Record<string, unknown>): CommandHandler | HandlerResult => {
    const runner = deps.zones.get(zone);
    const config = deps.configOf(zone);
    if (!runner || !config) throw new CommandError('unknown_zone', `no enabled zone named "${zone}"`, 'invalid');
    if (spec.kinds && !spec.kinds.includes(config.kind)) {
      throw new CommandError(
        'not_supported',
        `${spec.name} is not available on ${config.kind} zone ${zone}`,
        'invalid',
      );
    }
    runner.noteCommand(spec.name);
    if (spec.handledBy === 'supervisor') {
      return isSupervisorZoneCommand(spec.name)
        ? bindSupervisorHandler(deps.supervisorHandlers, spec.name, zone, args)
        : { outcome: 'failed', error_type: 'not_implemented', message: `${spec.name} is not implemented yet` };
    }
    for (const key of spec.mediaArgs ?? []) {
      const requested = args[key];
      if (typeof requested !== 'string') continue;
      const checked = resolveMediaPath(config.media_dir, requested);
      if (!checked.ok) {
        throw new CommandError(
          'path_outside_media',
          `media path "${requested}" is outside zone ${zone}'s media folder`,
          'invalid',
        );
      }
    }
    if (spec.name === 'getState') {
      // The answer is the zone state as published (ParadoxFX's keys included), not the worker's media part alone.
      return async (validArgs, _spec, ctx) => {
        const answer = await runner.request(spec.name, validArgs, ctx.id, deps.workerTimeoutMs);
        return answer.outcome === 'success' ? { ...answer, result: runner.snapshot() } : answer;
      };
    }
    return (validArgs, _spec, ctx) =>
      runner.request(spec.name, validArgs, ctx.id, spec.timeoutMs ?? deps.workerTimeoutMs);
  };
}
