import type { SupervisorContext } from './context.js';

const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * The supervisor's three views of itself: status (the CLI and the `status` command), metrics (the
 * command and the retained metrics topic) and health (`health_check`). Each reads the parts that exist.
 */
export class Reports {
  constructor(private readonly ctx: SupervisorContext) {}

  /** What the retained system state carries besides its lifecycle. */
  systemFacts(): Record<string, unknown> {
    const { zones, startedAt } = this.ctx;
    return {
      pid: process.pid,
      uptime_ms: Date.now() - startedAt,
      zones: Object.fromEntries(zones.all().map((r) => [r.name, r.state])),
    };
  }

  status(): unknown {
    const { state, mqtt, zones, spares, paths, startedAt } = this.ctx;
    return {
      system: {
        state: state?.system ?? 'starting',
        pid: process.pid,
        uptime_ms: Date.now() - startedAt,
        run_dir: paths.runDir,
        mqtt: mqtt?.metrics() ?? null,
      },
      zones: zones.all().map((r) => r.snapshot()),
      spares: spares?.snapshot() ?? [],
    };
  }

  metrics(): unknown {
    const { mqtt, dispatcher, resources } = this.ctx;
    const mem = process.memoryUsage();
    return {
      mqtt: mqtt?.metrics() ?? null,
      commands: dispatcher?.stats() ?? null,
      supervisor: { rss_mb: mb(mem.rss), heap_mb: mb(mem.heapUsed) },
      zones: resources?.snapshot() ?? {},
    };
  }

  health(): unknown {
    const { zones: registry, spares, mqtt, ownership, resets } = this.ctx;
    const zones = registry.all().map((r) => {
      const output = r.snapshot().output;
      // The output's truth as the zone's worker last asked the audio server (null: not a sink of its own).
      return {
        zone: r.name,
        state: r.state,
        worker_pid: r.pid,
        mpv_pids: r.mpvPids,
        output: output
          ? { sink: output.sink, problems: output.problems, reason: output.reason, sink_state: output.sink_state }
          : null,
      };
    });
    return {
      healthy: zones.every((z) => z.state === 'ready'),
      mpv_process_count: zones.reduce((n, z) => n + z.mpv_pids.length, 0),
      zones,
      spares: spares?.snapshot().map((s) => ({ pid: s.pid, state: s.state })) ?? [],
      mqtt_connected: mqtt?.connected ?? false,
      memory_mb: mb(process.memoryUsage().rss),
      ...ownership?.health(),
      // Our combine sinks (combined-audio zones), as recorded when loaded.
      pulse_sinks:
        ownership?.ledger.pulseModules.map((m) => ({ sink: m.sink_name, module_index: m.module_index })) ?? [],
      resetting: resets?.busy ?? false,
    };
  }
}
