import { SYSTEM_COMMANDS, ZONE_COMMANDS, success, type HandlerResult } from '@mpvisor/protocol';
import type { SystemHandlerFamily } from './dispatcher.js';
import { hostPowerHandlers } from './host-commands.js';

export interface SystemHandlerDeps {
  status: () => unknown;
  metrics: () => unknown;
  health: () => unknown;
  requestStop: (reason: string) => void;
  allowHostCommands: boolean;
}

const listing = (specs: typeof SYSTEM_COMMANDS) =>
  specs.map((s) => ({
    command: s.name,
    aliases: s.aliases,
    description: s.description,
    ...(s.kinds ? { zone_kinds: s.kinds } : {}),
  }));

const disabled = (name: string, alternative = ''): HandlerResult => ({
  outcome: 'invalid',
  error_type: 'disabled',
  message: `${name} is disabled; set allow_host_commands = true in [system:main] to enable it${alternative}`,
});

/** System commands the supervisor answers itself. Reset-type commands are added by the reset coordinator. */
export function systemHandlers(deps: SystemHandlerDeps) {
  return {
    status: async () => success('status', deps.status()),
    metrics: async () => success('metrics', deps.metrics()),
    health_check: async () => success('health check', deps.health()),
    help: async () => success('commands', { system: listing(SYSTEM_COMMANDS), zone: listing(ZONE_COMMANDS) }),
    stop: async (_args, _spec, ctx) => {
      // Whoever may publish on the system topic could otherwise end every room; the CLI's socket is the owner's.
      if (ctx.origin !== 'cli' && !deps.allowHostCommands)
        return disabled('stop over MQTT', ' (or send it with `mpvisor send system` on the machine)');
      // After the outcome is out: the shutdown itself refuses new commands.
      setImmediate(() => deps.requestStop('stop command'));
      return success('graceful shutdown started');
    },
    ...hostPowerHandlers(deps.allowHostCommands, disabled),
    killPfx: async () => {
      if (!deps.allowHostCommands) return disabled('killPfx');
      setImmediate(() => deps.requestStop('killPfx command'));
      return success('graceful shutdown started');
    },
  } satisfies SystemHandlerFamily;
}
