import { z } from 'zod';
import { bool, noArgs, num, reason, zoneList } from './arg-schemas.js';
import { type CommandSpec, specList, supervisorSpec } from './command-spec.js';
import { parseWith } from './command-table.js';

export const RESET_TYPES = ['full', 'audio', 'sockets', 'orphans'] as const;
export type ResetType = (typeof RESET_TYPES)[number];

/** Every system command by name; the supervisor's system handler table is typed over it. */
export const SYSTEM_COMMAND_SPECS = {
  reset: supervisorSpec(
    'Reset zones (all by default): soft lets speech finish, hard kills at once.',
    z.object({
      level: z.enum(['soft', 'hard']).optional(),
      zones: zoneList.optional(),
      preserve_state: bool.optional(),
    }),
  ),
  system_reset: supervisorSpec(
    'Full, audio, sockets or orphans reset with progress on the events topic.',
    z.object({
      type: z.enum(RESET_TYPES).optional(),
      zones: zoneList.optional(),
      preserve_state: bool.optional(),
      force: bool.optional(),
      timeout: num(1, 600).optional(),
    }),
  ),
  restart: supervisorSpec(
    'Reinitialise every zone; the supervisor and MQTT stay up.',
    z.object({ reason: reason.optional() }),
  ),
  reset_audio: supervisorSpec(
    'Reset audio outputs and sinks of the given zones (all by default).',
    z.object({ zones: zoneList.optional() }),
  ),
  reset_sockets: supervisorSpec('Remove stale sockets of ours and of ParadoxFX, never a live one.', noArgs),
  cleanup_orphans: supervisorSpec('Kill mpv processes of ours that lost their worker.', noArgs),
  health_check: supervisorSpec('Process counts, sockets, sinks, zone states, memory.', noArgs),
  diagnostics: supervisorSpec('Processes, socket inventory, audio devices, recent errors, resource usage.', noArgs),
  status: supervisorSpec('Supervisor and zone states.', noArgs),
  metrics: supervisorSpec('MQTT, command and resource counters.', noArgs),
  help: supervisorSpec('List the commands of this topic with a one-line description each.', noArgs),
  pause: supervisorSpec(
    "Pause every zone's media at once; media commands are held (warning, paused) until resume.",
    noArgs,
  ),
  resume: supervisorSpec('Resume what pause paused, then run the media commands held meanwhile.', noArgs),
  stop: supervisorSpec('Graceful shutdown, as SIGTERM (exit 0).', noArgs),
  reload_config: supervisorSpec(
    'Validate the config file, then apply it: new zones start, removed stop, changed restart, the rest keep playing.',
    z.object({ file: z.string().max(4096).optional() }),
  ),
  reboot: supervisorSpec('Reboot the host (only with allow_host_commands = true).', noArgs),
  shutdown: supervisorSpec('Power off the host (only with allow_host_commands = true).', noArgs),
  killPfx: supervisorSpec('Stop mpvisor as SIGTERM would (only with allow_host_commands = true).', noArgs),
};

export type SystemCommandSpecs = typeof SYSTEM_COMMAND_SPECS;
export type SystemCommandName = keyof SystemCommandSpecs;
/** The validated arguments a system command's handler receives. */
export type SystemArgs<K extends SystemCommandName> = z.output<SystemCommandSpecs[K]['args']>;

export const SYSTEM_COMMANDS: readonly CommandSpec[] = specList(SYSTEM_COMMAND_SPECS);

export const isSystemCommand = (name: string): name is SystemCommandName => Object.hasOwn(SYSTEM_COMMAND_SPECS, name);

// Checked by the compiler: each system command's schema yields exactly its handler's argument type.
const SYSTEM_ARGS: { [K in SystemCommandName]: { args: z.ZodType<SystemArgs<K>> } } = SYSTEM_COMMAND_SPECS;

/** A system command's arguments parsed against its schema; throws CommandError invalid_argument naming each bad field. */
export function parseSystemArgs<K extends SystemCommandName>(name: K, raw: unknown): SystemArgs<K> {
  return parseWith(name, SYSTEM_ARGS[name].args, raw);
}
