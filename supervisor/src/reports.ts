import type { Ownership } from './commands/cleanup-handlers.js';
import type { DispatcherStats } from './commands/dispatcher.js';
import type { SupervisorContext } from './context.js';
import type { MqttLink } from './mqtt/mqtt-link.js';
import type { ResetCoordinator } from './reset/coordinator.js';
import type { StatePublisher } from './state-publisher.js';
import type { ResourceWatch } from './zones/resource-watch.js';
import type { SparePool } from './zones/spare-pool.js';

/** The parts the reports read, each fully built. */
export interface ReportSources {
  ctx: SupervisorContext;
  state: StatePublisher;
  mqtt: MqttLink;
  spares: SparePool | null;
  ownership: Ownership;
  resets: ResetCoordinator;
  resources: ResourceWatch;
  /** The dispatcher's counters (the dispatcher is built with these reports). */
  commands: () => DispatcherStats;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * The supervisor's three views of itself: status (the CLI and the `status` command), metrics (the
 * command and the retained metrics topic) and health (`health_check`).
 */
export class Reports {
  constructor(private readonly s: ReportSources) {}

  /** What the retained system state carries besides its lifecycle. */
  systemFacts(): Record<string, unknown> {
    const { zones, startedAt } = this.s.ctx;
    return {
      pid: process.pid,
      uptime_ms: Date.now() - startedAt,
      zones: Object.fromEntries(zones.all().map((r) => [r.name, r.state])),
    };
  }

  status(): unknown {
    const { state, mqtt, spares, ctx } = this.s;
    return {
      system: {
        state: state.system,
        pid: process.pid,
        uptime_ms: Date.now() - ctx.startedAt,
        run_dir: ctx.paths.runDir,
        mqtt: mqtt.metrics(),
      },
      zones: ctx.zones.all().map((r) => r.snapshot()),
      spares: spares?.snapshot() ?? [],
    };
  }

  metrics() {
    const { mqtt, commands, resources } = this.s;
    const mem = process.memoryUsage();
    return {
      mqtt: mqtt.metrics(),
      commands: commands(),
      supervisor: { rss_mb: mb(mem.rss), heap_mb: mb(mem.heapUsed) },
      zones: resources.snapshot(),
    };
  }

  health(): unknown {
    const { spares, mqtt, ownership, resets } = this.s;
    const registry = this.s.ctx.zones;
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
      mqtt_connected: mqtt.connected,
      memory_mb: mb(process.memoryUsage().rss),
      ...ownership.health(),
      // Our combine sinks (combined-audio zones), as recorded when loaded.
      pulse_sinks: ownership.ledger.pulseModules.map((m) => ({ sink: m.sink_name, module_index: m.module_index })),
      resetting: resets.busy,
    };
  }
}
