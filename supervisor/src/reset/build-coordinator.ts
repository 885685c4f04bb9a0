import type { CombinedSinks } from '../audio/combined-sinks.js';
import type { Ownership } from '../commands/cleanup-handlers.js';
import type { SupervisorContext } from '../context.js';
import type { Outbound } from '../outbound.js';
import type { ZoneBootstraps } from '../zones/zone-bootstraps.js';
import { ResetCoordinator } from './coordinator.js';

export interface CoordinatorWiring {
  bootstraps: ZoneBootstraps;
  outbound: Outbound;
  /** A reset began (true) or ended (false): the system state shows `resetting` meanwhile. */
  resetting: (on: boolean) => void;
  ownership: Ownership;
  sinks: CombinedSinks;
}

/** The reset coordinator over this run's zones, ledger, combine sinks and bootstraps. */
export function buildResetCoordinator(ctx: SupervisorContext, w: CoordinatorWiring): ResetCoordinator {
  const { zones, zoneConfigs, log } = ctx;
  return new ResetCoordinator({
    zones,
    ownership: () => w.ownership,
    sinks: () => w.sinks,
    zoneConfig: (z) => zoneConfigs.get(z),
    setAudioDevice: (z, device) => {
      const config = zoneConfigs.get(z);
      if (config) w.bootstraps.setDevice(config, device);
    },
    publish: (status) => w.outbound.publishSystemEvent(status),
    lifecycle: (z, event, detail) => w.outbound.publishLifecycle(z, event, detail),
    resetting: w.resetting,
    log: log.child({ component: 'reset' }),
  });
}
