import type { ZoneConfig } from '@mpvisor/config';
import { SinkKeeper } from '../audio/sink-keeper.js';
import { buildDispatcher } from '../commands/build-dispatcher.js';
import type { Dispatcher } from '../commands/dispatcher.js';
import { SystemPause } from '../commands/system-pause.js';
import type { SupervisorContext } from '../context.js';
import type { MqttLinkOptions } from '../mqtt/mqtt-link.js';
import { Reports } from '../reports.js';
import { buildConfigReload } from '../reload/build-reload.js';
import { buildResetCoordinator } from '../reset/build-coordinator.js';
import type { ResetCoordinator } from '../reset/coordinator.js';
import { StatePublisher } from '../state-publisher.js';
import { buildZoneRunner } from '../zones/build-runner.js';
import { ResourceWatch } from '../zones/resource-watch.js';
import type { Foundation } from './foundation.js';
import type { Messaging } from './messaging.js';

/** The fourth stage: every enabled zone's runner (not yet started) and what commands and reports reach. */
export interface ZonesStage {
  state: StatePublisher;
  resets: ResetCoordinator;
  pause: SystemPause;
  reports: Reports;
  dispatcher: Dispatcher;
  /** Watches the audio server while a zone owns a sink (from start, or from the reload that adds one). */
  sinkKeeper: SinkKeeper;
  resources: ResourceWatch;
}

/** What the supervisor itself provides to this stage. */
export interface ZonesWiring {
  /** A zone's runner changed state. */
  zoneChanged: (zone: string) => void;
  /** A reset began or ended, or the pause changed: the system state follows. */
  systemChanged: () => void;
  /** A `stop` (or killPfx) command ends the process the way SIGTERM does. */
  requestStop: (reason: string) => void;
  onMessage: MqttLinkOptions['onMessage'];
}

export async function buildZones(
  ctx: SupervisorContext,
  f: Foundation,
  m: Messaging,
  w: ZonesWiring,
): Promise<ZonesStage> {
  const { config, log, zones, zoneConfigs } = ctx;
  const { spares, ownership, sinks, bootstraps } = f;
  const { mqtt, outbound } = m;
  const state = new StatePublisher(
    mqtt,
    zones,
    (z) => zoneConfigs.get(z)?.topic,
    config.system.topic,
    () => reports.systemFacts(),
  );
  const resetting = (on: boolean) => (on ? state.setSystemState('resetting') : w.systemChanged());
  const resets = buildResetCoordinator(ctx, { bootstraps, outbound, resetting, ownership, sinks });
  const pause = new SystemPause({
    zones,
    log: log.child({ component: 'pause' }),
    warning: (z, message) => outbound.publishWarning(z, message),
    changed: () => w.systemChanged(),
  });
  const newRunner = (zone: ZoneConfig, device: string | null) =>
    buildZoneRunner(ctx, {
      zone,
      device,
      bootstraps,
      outbound,
      stateChanged: w.zoneChanged,
      spares,
      ownership,
      resets,
    });
  const enabled = config.zones.filter((z) => z.enabled);
  const sinkKeeper = new SinkKeeper({
    sinks,
    zones: () => [...zoneConfigs.values()],
    busy: () => resets.busy,
    warn: (z, message) => outbound.publishWarning(z, message),
    made: (z, device) => {
      const zone = zoneConfigs.get(z);
      if (zone) bootstraps.setDevice(zone, device);
    },
    log: log.child({ component: 'pulse' }),
  });
  const sinkPlans = await sinks.plan(enabled);
  for (const zone of enabled) {
    zoneConfigs.set(zone.name, zone);
    zones.add(newRunner(zone, sinkPlans.get(zone.name)?.device ?? null));
  }
  for (const [zone, plan] of sinkPlans) if (plan.warning) outbound.publishWarning(zone, plan.warning);
  const reload = buildConfigReload(ctx, {
    resets,
    outbound,
    routes: m.routes,
    pause,
    newRunner,
    swapBroker: (next) => m.brokers.swap(next),
    onMessage: w.onMessage,
    sinks,
    state,
    mqtt,
    spares,
    sinkKeeper,
  });
  const sampleMs = Math.max(250, Math.min(...enabled.map((z) => z.restart.health_interval_ms), 1000));
  const resources = new ResourceWatch({
    zones: () => zones.all(),
    intervalMs: sampleMs,
    log: log.child({ component: 'resources' }),
  });
  const reports = new Reports({
    ctx,
    state,
    mqtt,
    spares,
    ownership,
    resets,
    resources,
    commands: () => dispatcher.stats(),
  });
  const dispatcher = buildDispatcher(ctx, {
    resets,
    reports,
    requestStop: w.requestStop,
    pause,
    reloadConfig: reload.handler(),
    ownership,
    diagnostics: { ctx, ownership, sinks, resources, spares, mqtt },
  });
  return { state, resets, pause, reports, dispatcher, sinkKeeper, resources };
}
