import { lstat } from 'node:fs/promises';
import { isSameProcess } from '@mpvisor/sys';
import { canConnect } from '@mpvisor/pulse';
import type { CombinedSinks } from './audio/combined-sinks.js';
import type { Ownership } from './commands/cleanup-handlers.js';
import type { SupervisorContext } from './context.js';
import type { MqttLink } from './mqtt/mqtt-link.js';
import type { ResourceWatch } from './zones/resource-watch.js';
import type { SparePool } from './zones/spare-pool.js';

/** The parts `diagnostics` reads, each fully built. */
export interface DiagnosticSources {
  ctx: SupervisorContext;
  ownership: Ownership;
  sinks: CombinedSinks;
  resources: ResourceWatch;
  spares: SparePool | null;
  mqtt: MqttLink;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/** A socket file of ours, probed the way the cleanup decides: a refused connect means stale. */
async function probeSocket(
  path: string,
): Promise<{ path: string; exists: boolean; is_socket: boolean; live: boolean }> {
  try {
    const st = await lstat(path);
    return { path, exists: true, is_socket: st.isSocket(), live: st.isSocket() ? await canConnect(path, 300) : false };
  } catch {
    return { path, exists: false, is_socket: false, live: false };
  }
}

/**
 * `diagnostics`: what someone debugging a stuck room needs in one document: every process and socket
 * we own (from the ledger, each re-checked now), audio outputs and our sinks (asked live), recent errors
 * per zone, and resource usage. Slow parts (pactl, socket probes) are bounded by their own timeouts.
 */
export async function diagnostics(sources: DiagnosticSources): Promise<unknown> {
  const { ctx, ownership, sinks, resources, spares, mqtt } = sources;
  const { zones, paths } = ctx;
  const ledger = ownership.ledger;
  const processes = ledger.processes.map((p) => ({
    pid: p.pid,
    role: p.role,
    zone: p.zone,
    instance: p.instance,
    alive: isSameProcess(p),
  }));
  const sockets = await Promise.all(ledger.sockets.map((s) => probeSocket(s.path)));
  const snapshots = zones.all().map((r) => r.snapshot());
  const mem = process.memoryUsage();
  return {
    supervisor: {
      pid: process.pid,
      uptime_ms: Date.now() - ctx.startedAt,
      run_dir: paths.runDir,
      state_dir: paths.stateDir,
      rss_mb: mb(mem.rss),
      heap_mb: mb(mem.heapUsed),
    },
    processes,
    spares: spares?.snapshot() ?? [],
    sockets,
    audio: {
      zones: snapshots.map((z) => ({
        zone: z.zone,
        output: z.audio_output ?? null,
        output_status: z.output ?? null,
        mpv: z.mpv_processes.map((m) => ({ role: m.role, pid: m.pid, alive: m.alive })),
      })),
      sinks: await sinks.status(),
    },
    recent_errors: snapshots.map((z) => ({
      zone: z.zone,
      state: z.state,
      restarts: z.restarts,
      last_exit: z.last_exit,
      errors: z.errors,
    })),
    resources: resources.snapshot(),
    mqtt: mqtt.metrics(),
  };
}
