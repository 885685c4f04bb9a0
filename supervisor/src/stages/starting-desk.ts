import type { SupervisorContext } from '../context.js';
import type { ControlHandlers } from '../control/control-server.js';

/** What the control socket answers while the supervisor starts: its state, and no commands yet. */
export function startingDesk(ctx: SupervisorContext): ControlHandlers {
  return {
    status: () => ({
      system: {
        state: 'starting',
        pid: process.pid,
        uptime_ms: Date.now() - ctx.startedAt,
        run_dir: ctx.paths.runDir,
        mqtt: null,
      },
      zones: ctx.zones.all().map((r) => r.snapshot()),
      spares: [],
    }),
    command: async () => {
      throw new Error('mpvisor is starting; try again once it runs');
    },
  };
}
