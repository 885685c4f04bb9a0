import type { CommandContext, CommandHandler } from '../commands/dispatcher.js';
import type { ResetCoordinator } from './coordinator.js';
import type { ResetKind, ResetRequest, ResetStatus } from './types.js';

export const RESET_COMMANDS = new Set(['reset', 'system_reset', 'restart', 'reset_audio']);

const zonesOf = (args: Record<string, unknown>): string[] | null =>
  Array.isArray(args.zones) && args.zones.length > 0 ? (args.zones as string[]) : null;

/** The bound a reset command gets: `timeout` seconds of a system_reset, else [system:main] reset_timeout. */
export function resetTimeoutMs(args: Record<string, unknown>, defaultMs: number): number {
  return typeof args.timeout === 'number' ? Math.round(args.timeout * 1000) : defaultMs;
}

/** How each reset-type command maps onto one coordinator request. */
export function systemResetRequest(
  command: string,
  args: Record<string, unknown>,
  defaultTimeoutMs: number,
): ResetRequest {
  const base = {
    command,
    zones: zonesOf(args),
    timeoutMs: resetTimeoutMs(args, defaultTimeoutMs),
    scope: 'system' as const,
  };
  switch (command) {
    case 'reset':
      return {
        ...base,
        kind: 'full',
        level: args.level === 'hard' ? 'hard' : 'soft',
        force: args.level === 'hard',
        preserveState: args.preserve_state === true,
      };
    case 'system_reset':
      return {
        ...base,
        kind: (args.type as ResetKind | undefined) ?? 'full',
        level: 'soft',
        force: args.force === true,
        preserveState: args.preserve_state === true,
      };
    case 'restart':
      // Every zone reinitialized from scratch: workers asked to quit (no speech drain), nothing replayed.
      return { ...base, zones: null, kind: 'restart', level: 'soft', force: true, preserveState: false };
    case 'reset_audio':
      // Outputs and sinks come back under what was playing: the music resumes where it was.
      return { ...base, kind: 'audio', level: 'soft', force: true, preserveState: true };
    default:
      throw new Error(`not a reset command: ${command}`);
  }
}

export interface ResetHandlerDeps {
  coordinator: ResetCoordinator;
  defaultTimeoutMs: number;
}

const progressOf = (ctx: CommandContext) => ctx.progress as ((s: ResetStatus) => void) | undefined;

/** System-topic handlers: reset, system_reset, restart, reset_audio. */
export function resetHandlers(deps: ResetHandlerDeps): Map<string, CommandHandler> {
  const h = new Map<string, CommandHandler>();
  for (const name of RESET_COMMANDS) {
    h.set(name, (args, _spec, ctx) =>
      deps.coordinator.run(systemResetRequest(name, args, deps.defaultTimeoutMs), {
        id: ctx.id,
        progress: progressOf(ctx),
      }),
    );
  }
  return h;
}

/** The zone-topic `reset` ({level, preserve_state}): the same coordinator, for that one zone. */
export function zoneResetHandler(deps: ResetHandlerDeps): (zone: string) => CommandHandler {
  return (zone) => (args, _spec, ctx) =>
    deps.coordinator.run(
      {
        command: 'reset',
        kind: 'full',
        zones: [zone],
        level: args.level === 'hard' ? 'hard' : 'soft',
        force: args.level === 'hard' || args.force === true,
        preserveState: args.preserve_state === true,
        timeoutMs: resetTimeoutMs(args, deps.defaultTimeoutMs),
        scope: 'zone',
      },
      { id: ctx.id, progress: progressOf(ctx) },
    );
}
