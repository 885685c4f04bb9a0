import type { ZoneConfig } from '@mpvisor/config';
import type { SupervisorContext } from '../context.js';
import type { Outbound } from '../outbound.js';
import type { Ownership } from '../commands/cleanup-handlers.js';
import type { ResetCoordinator } from '../reset/coordinator.js';
import type { ResetRequest } from '../reset/types.js';
import type { WorkerBootstrap } from './bootstrap.js';
import type { ZoneHooks } from './runner-context.js';
import { availableParallelism } from 'node:os';
import { zoneStreamEnvironment } from '@mpvisor/pulse';
import { spareKinds } from './spare-kinds.js';
import { SPARE_LEDGER_ZONE, SparePool } from './spare-pool.js';
import { StartGate } from './start-gate.js';
import { withDevice, type ZoneBootstraps } from './zone-bootstraps.js';
import { ZoneRunner } from './zone-runner.js';

export interface RunnerWiring {
  zone: ZoneConfig;
  /** The combine sink a combined-audio zone plays to, or null. */
  device: string | null;
  bootstraps: ZoneBootstraps;
  outbound: Outbound;
  stateChanged: ZoneHooks['stateChanged'];
  spares: SparePool | null;
  ownership: Ownership;
  resets: ResetCoordinator;
}

/** What every worker's bootstrap shares, zone worker or spare. */
function bootstrapBase(ctx: SupervisorContext): Omit<WorkerBootstrap, 'zone' | 'heartbeatIntervalMs' | 'resume'> {
  const { config, paths, mpvEnv } = ctx;
  return {
    socketPath: paths.workerSocket,
    mpvPath: config.global.mpv_path,
    runDir: paths.runDir,
    stateDir: paths.stateDir,
    logLevel: config.global.log_level,
    audioFallback: config.global.audio_fallback,
    ...(mpvEnv ? { mpvEnv } : {}),
  };
}

/** One start gate per supervisor run, shared by its zones: two first starts per core at once. */
const startGates = new WeakMap<SupervisorContext, StartGate>();
const startGateOf = (ctx: SupervisorContext): StartGate => {
  const gate = startGates.get(ctx) ?? new StartGate(Math.max(2, availableParallelism() * 2));
  startGates.set(ctx, gate);
  return gate;
};

/** One enabled zone's runner: its bootstrap (with what it resumes), its policy, its hooks into the rest. */
export function buildZoneRunner(ctx: SupervisorContext, w: RunnerWiring): ZoneRunner {
  const { config, log, clock } = ctx;
  const { zone, outbound } = w;
  const base = bootstrapBase(ctx);
  const bootstrap: WorkerBootstrap = {
    ...base,
    mpvEnv: { ...base.mpvEnv, ...zoneStreamEnvironment(zone.name, zone.isolate_output) },
    zone: withDevice(zone, w.device),
    heartbeatIntervalMs: Math.min(1000, Math.floor(zone.restart.heartbeat_timeout_ms / 3)),
  };
  return new ZoneRunner({
    zone,
    clock,
    log: log.child({ zone: zone.name }),
    bootstrap: w.bootstraps.keep(bootstrap),
    autoResetThreshold: config.system.auto_reset_enabled ? config.system.auto_reset_threshold : null,
    ...(w.spares ? { spares: w.spares } : {}),
    startGate: startGateOf(ctx),
    autoReset: (z, reason) => startAutoReset(ctx, w.resets, z, reason),
    hooks: {
      stateChanged: w.stateChanged,
      lifecycle: (z, event, detail) => outbound.publishLifecycle(z, event, detail),
      mediaEvent: (z, event) => {
        outbound.publishMediaEvent(z, event);
        // An output gone or back concerns the whole installation (which room went silent): on the system's events too.
        if (event.type === 'output')
          outbound.publishSystemEvent({
            timestamp: new Date().toISOString(),
            type: 'zone_output',
            zone: z,
            state: event.state,
            detail: event.detail ?? {},
          });
      },
      warning: (z, message) => outbound.publishWarning(z, message),
      process: (z, report) => w.ownership.onProcess(z, report),
    },
  });
}

/**
 * An auto reset goes through the reset coordinator like any reset of one zone (soft, forced: the
 * worker is already gone; what it last played is replayed). False when a reset runs now: the zone then
 * restarts itself; if the coordinator turns it away after all, the zone is relaunched here.
 */
function startAutoReset(ctx: SupervisorContext, resets: ResetCoordinator, zone: string, reason: string): boolean {
  if (resets.busy) return false;
  ctx.log.info('auto reset through the reset coordinator', { zone, reason });
  const request: ResetRequest = {
    command: 'auto_reset',
    kind: 'full',
    zones: [zone],
    level: 'soft',
    force: true,
    preserveState: true,
    timeoutMs: ctx.config.system.reset_timeout_ms,
    scope: 'zone',
  };
  void resets.run(request, { id: null }).then((r) => {
    if (r.error_type === 'busy') ctx.zones.get(zone)?.relaunch();
  });
  return true;
}

/**
 * warm_spares workers of each kind the zones need, with idle mpv, handed to a crashed or reset zone of
 * their kind (null when warm_spares = 0 or no zone can use one).
 */
export function buildSparePool(ctx: SupervisorContext, ownership: Ownership): SparePool | null {
  const { config, log, clock } = ctx;
  const enabled = config.zones.filter((z) => z.enabled);
  if (config.system.warm_spares <= 0 || enabled.length === 0) return null;
  const { kinds, uncovered } = spareKinds(enabled);
  const spareLog = log.child({ component: 'spares' });
  for (const u of uncovered) spareLog.warn(`zone ${u.zone} has no warm spare (cold restarts): ${u.reason}`);
  if (kinds.length === 0) return null;
  const heartbeatTimeoutMs = Math.max(...enabled.map((z) => z.restart.heartbeat_timeout_ms));
  return new SparePool({
    count: config.system.warm_spares,
    kinds,
    bootstrap: {
      ...bootstrapBase(ctx),
      zone: null,
      heartbeatIntervalMs: Math.min(1000, Math.floor(heartbeatTimeoutMs / 3)),
    },
    clock,
    log: spareLog,
    startupTimeoutMs: Math.max(...enabled.map((z) => z.restart.startup_timeout_ms)),
    heartbeatTimeoutMs,
    stopTimeoutMs: config.system.restart.stop_timeout_ms,
    process: (report) => ownership.onProcess(SPARE_LEDGER_ZONE, report),
  });
}
