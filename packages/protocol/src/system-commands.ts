import { z } from 'zod';
import { bool, num, reason, zoneList } from './arg-schemas.js';
import type { CommandSpec } from './command-spec.js';

const s = (name: string, description: string, args: z.ZodType = z.object({}), aliases: string[] = []): CommandSpec => ({
  name,
  aliases,
  description,
  args,
  handledBy: 'supervisor',
});

export const RESET_TYPES = ['full', 'audio', 'sockets', 'orphans'] as const;
export type ResetType = (typeof RESET_TYPES)[number];

export const SYSTEM_COMMANDS: readonly CommandSpec[] = [
  s(
    'reset',
    'Reset zones (all by default): soft lets speech finish, hard kills at once.',
    z.object({
      level: z.enum(['soft', 'hard']).optional(),
      zones: zoneList.optional(),
      preserve_state: bool.optional(),
    }),
  ),
  s(
    'system_reset',
    'Full, audio, sockets or orphans reset with progress on the events topic.',
    z.object({
      type: z.enum(RESET_TYPES).optional(),
      zones: zoneList.optional(),
      preserve_state: bool.optional(),
      force: bool.optional(),
      timeout: num(1, 600).optional(),
    }),
  ),
  s('restart', 'Reinitialise every zone; the supervisor and MQTT stay up.', z.object({ reason: reason.optional() })),
  s(
    'reset_audio',
    'Reset audio outputs and sinks of the given zones (all by default).',
    z.object({ zones: zoneList.optional() }),
  ),
  s('reset_sockets', 'Remove stale sockets of ours and of ParadoxFX, never a live one.'),
  s('cleanup_orphans', 'Kill mpv processes of ours that lost their worker.'),
  s('health_check', 'Process counts, sockets, sinks, zone states, memory.'),
  s('diagnostics', 'Processes, socket inventory, audio devices, recent errors, resource usage.'),
  s('status', 'Supervisor and zone states.'),
  s('metrics', 'MQTT, command and resource counters.'),
  s('help', 'List the commands of this topic with a one-line description each.'),
  s('pause', "Pause every zone's media at once; media commands are held (warning, paused) until resume."),
  s('resume', 'Resume what pause paused, then run the media commands held meanwhile.'),
  s('stop', 'Graceful shutdown, as SIGTERM (exit 0).'),
  s(
    'reload_config',
    'Validate the config file, then apply it: new zones start, removed stop, changed restart, the rest keep playing.',
    z.object({ file: z.string().max(4096).optional() }),
  ),
  s('reboot', 'Reboot the host (only with allow_host_commands = true).'),
  s('shutdown', 'Power off the host (only with allow_host_commands = true).'),
  s('killPfx', 'Stop mpvisor as SIGTERM would (only with allow_host_commands = true).'),
];

export const HOST_COMMANDS = new Set(['reboot', 'shutdown', 'killPfx']);
