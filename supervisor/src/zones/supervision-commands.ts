import type { HandlerResult } from '@mpvisor/protocol';
import type { SupervisorZoneHandlers } from '../commands/zone-routing.js';
import type { ZoneRegistry } from '../zone-registry.js';

/**
 * Zone commands the supervisor answers: `health_check` (the zone's worker and mpv as supervision sees
 * them) and `restart` (also revives a failed zone): the worker killed and started again with a fresh
 * restart-policy record. The zone `reset` goes through the reset coordinator (reset/handlers.ts).
 */
export function supervisionHandlers(zones: ZoneRegistry) {
  return {
    health_check: (z) => async (): Promise<HandlerResult> => {
      const snap = zones.get(z)!.snapshot();
      const mpv = snap.mpv_processes.map((m) => ({ role: m.role, pid: m.pid, alive: m.alive, restarts: m.restarts }));
      const healthy = snap.state === 'ready' && mpv.every((m) => m.alive);
      const output = snap.output ?? null;
      const outputNote = output?.reason ? `; audio output: ${output.reason}` : '';
      return {
        outcome: 'success',
        message:
          (healthy
            ? `zone ${z} healthy`
            : `zone ${z} is ${snap.state}${mpv.some((m) => !m.alive) ? ', an mpv is not answering' : ''}`) + outputNote,
        result: {
          zone: z,
          healthy,
          state: snap.state,
          worker_pid: snap.pid,
          mpv,
          output,
          restarts: snap.restarts,
          last_exit: snap.last_exit,
          resources: snap.resources,
          errors: snap.errors,
        },
      };
    },
    restart:
      (z) =>
      async (args): Promise<HandlerResult> => {
        const runner = zones.get(z)!;
        const was = runner.state;
        await runner.restart(args.reason ?? 'restart command');
        return { outcome: 'success', message: `zone ${z} restarted (was ${was})`, result: { previous_state: was } };
      },
  } satisfies Partial<SupervisorZoneHandlers>;
}
