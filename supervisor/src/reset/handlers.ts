import type { SystemArgs } from '@mpvisor/protocol';
import type { CommandContext, SystemHandler, SystemHandlerFamily } from '../commands/dispatcher.js';
import type { ZoneHandler } from '../commands/zone-routing.js';
import type { ResetCoordinator } from './coordinator.js';
import type { ResetRequest, ResetStatus } from './types.js';

type ResetCommand = 'reset' | 'system_reset' | 'restart' | 'reset_audio';
export const RESET_COMMANDS: ReadonlySet<string> = new Set<ResetCommand>([
  'reset',
  'system_reset',
  'restart',
  'reset_audio',
]);

const zonesOf = (zones: string[] | undefined): string[] | null => (zones && zones.length > 0 ? zones : null);

/** The bound a reset command gets: `timeout` seconds of a system_reset, else [system:main] reset_timeout. */
export function resetTimeoutMs(args: Record<string, unknown>, defaultMs: number): number {
  return typeof args.timeout === 'number' ? Math.round(args.timeout * 1000) : defaultMs;
}

type RequestOf<K extends ResetCommand> = (args: SystemArgs<K>, defaultTimeoutMs: number) => ResetRequest;

/** How each reset-type command maps onto one coordinator request. */
const REQUESTS: { [K in ResetCommand]: RequestOf<K> } = {
  reset: (args, timeoutMs) => ({
    command: 'reset',
    zones: zonesOf(args.zones),
    timeoutMs,
    scope: 'system',
    kind: 'full',
    level: args.level === 'hard' ? 'hard' : 'soft',
    force: args.level === 'hard',
    preserveState: args.preserve_state === true,
  }),
  system_reset: (args, defaultTimeoutMs) => ({
    command: 'system_reset',
    zones: zonesOf(args.zones),
    timeoutMs: resetTimeoutMs(args, defaultTimeoutMs),
    scope: 'system',
    kind: args.type ?? 'full',
    level: 'soft',
    force: args.force === true,
    preserveState: args.preserve_state === true,
  }),
  // Every zone reinitialized from scratch: workers asked to quit (no speech drain), nothing replayed.
  restart: (_args, timeoutMs) => ({
    command: 'restart',
    zones: null,
    timeoutMs,
    scope: 'system',
    kind: 'restart',
    level: 'soft',
    force: true,
    preserveState: false,
  }),
  // Outputs and sinks come back under what was playing: the music resumes where it was.
  reset_audio: (args, timeoutMs) => ({
    command: 'reset_audio',
    zones: zonesOf(args.zones),
    timeoutMs,
    scope: 'system',
    kind: 'audio',
    level: 'soft',
    force: true,
    preserveState: true,
  }),
};

export function systemResetRequest<K extends ResetCommand>(
  command: K,
  args: SystemArgs<K>,
  defaultTimeoutMs: number,
): ResetRequest {
  const request: RequestOf<K> = REQUESTS[command];
  return request(args, defaultTimeoutMs);
}

export interface ResetHandlerDeps {
  coordinator: ResetCoordinator;
  defaultTimeoutMs: number;
}

/** Reset phases reach the CLI's control connection, which streams whatever it is given. */
const progressOf = (ctx: CommandContext): ((s: ResetStatus) => void) | undefined => ctx.progress;

/** System-topic handlers: reset, system_reset, restart, reset_audio. */
export function resetHandlers(deps: ResetHandlerDeps) {
  const handler =
    <K extends ResetCommand>(command: K): SystemHandler<K> =>
    (args, _spec, ctx) =>
      deps.coordinator.run(systemResetRequest(command, args, deps.defaultTimeoutMs), {
        id: ctx.id,
        progress: progressOf(ctx),
      });
  return {
    reset: handler('reset'),
    system_reset: handler('system_reset'),
    restart: handler('restart'),
    reset_audio: handler('reset_audio'),
  } satisfies SystemHandlerFamily;
}

/** The zone-topic `reset` ({level, preserve_state}): the same coordinator, for that one zone. */
export function zoneResetHandler(deps: ResetHandlerDeps): ZoneHandler<'reset'> {
  return (zone) => (args, _spec, ctx) =>
    deps.coordinator.run(
      {
        command: 'reset',
        kind: 'full',
        zones: [zone],
        level: args.level === 'hard' ? 'hard' : 'soft',
        force: args.level === 'hard',
        preserveState: args.preserve_state === true,
        timeoutMs: deps.defaultTimeoutMs,
        scope: 'zone',
      },
      { id: ctx.id, progress: progressOf(ctx) },
    );
}
