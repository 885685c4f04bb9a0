import type { SparePool } from '../zones/spare-pool.js';
import { wantsOwnSink, type MpvisorConfig, type ZoneConfig } from '@mpvisor/config';
import type { CombinedSinks } from '../audio/combined-sinks.js';
import type { SinkKeeper } from '../audio/sink-keeper.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { SystemPause } from '../commands/system-pause.js';
import type { SupervisorContext } from '../context.js';
import { mqttLinkOptions } from '../mqtt/link-options.js';
import type { MqttLink, MqttLinkOptions } from '../mqtt/mqtt-link.js';
import type { TopicRoutes } from '../mqtt/topic-routes.js';
import type { Outbound } from '../outbound.js';
import type { ResetCoordinator } from '../reset/coordinator.js';
import type { StatePublisher } from '../state-publisher.js';
import type { ZoneRunner } from '../zones/zone-runner.js';
import { ConfigReload } from './config-reload.js';

export interface ReloadWiring {
  resets: ResetCoordinator;
  outbound: Outbound;
  routes: TopicRoutes;
  pause: SystemPause;
  /** A zone's runner as start() builds them (hooks, bootstrap), playing to `device` when not null. */
  newRunner: (zone: ZoneConfig, device: string | null) => ZoneRunner;
  /** The embedded broker the new [mqtt] wants (kept, replaced, or none); the link is down meanwhile. */
  swapBroker: (next: MpvisorConfig) => Promise<EmbeddedBroker | null>;
  onMessage: MqttLinkOptions['onMessage'];
  sinks: CombinedSinks;
  state: StatePublisher;
  mqtt: MqttLink;
  /** Told the new zones at commit: a kind no zone needs any more stops, a new kind boots. */
  spares: SparePool | null;
  /** Starts watching the audio server when the reload brought the first zone that owns a sink. */
  sinkKeeper: SinkKeeper;
}

/** The config reload over this run's zones, combine sinks, topics and MQTT link. */
export function buildConfigReload(ctx: SupervisorContext, w: ReloadWiring): ConfigReload {
  const { zones, zoneConfigs, log } = ctx;
  return new ConfigReload({
    current: () => ctx.config,
    zones,
    resets: w.resets,
    buildRunner: async (zone) => {
      // A zone that no longer owns a sink (combined_sinks or isolate_output taken away) leaves none behind;
      // its old worker is halted by now, so nothing plays there.
      if (!wantsOwnSink(zone)) await w.sinks.unload([zone.name]);
      const plan = (await w.sinks.plan([zone])).get(zone.name);
      if (plan?.warning) log.warn(plan.warning, { zone: zone.name });
      zoneConfigs.set(zone.name, zone);
      const runner = w.newRunner(zone, plan?.device ?? null);
      zones.add(runner);
      return runner;
    },
    forgetZone: async (zone) => {
      w.pause.forget(zone);
      w.state.publishZone(zone);
      // The registry first: a state publish still queued finds no runner rather than no topic.
      zones.remove(zone);
      zoneConfigs.delete(zone);
      await w.sinks.unload([zone]);
    },
    resubscribe: () => w.routes.update(zoneConfigs.values()),
    reconnectMqtt: async (next) => {
      const mqtt = w.mqtt;
      await mqtt.stop();
      const broker = await w.swapBroker(next);
      mqtt.restartWith(
        mqttLinkOptions({ mqtt: next.mqtt, broker, log: log.child({ component: 'mqtt' }), onMessage: w.onMessage }),
      );
    },
    // The source stays the file `run --config` named: a later reload, like the next start, reads that one.
    commit: (next) => {
      ctx.config = { ...ctx.config, mqtt: next.mqtt, zones: next.zones };
      w.spares?.setZones(next.zones.filter((z) => z.enabled));
      w.sinkKeeper.start();
    },
    publish: (status) => w.outbound.publishSystemEvent(status),
    lifecycle: (zone, event, detail) => w.outbound.publishLifecycle(zone, event, detail),
    timeoutMs: () => ctx.config.system.reset_timeout_ms,
    log: log.child({ component: 'reload' }),
  });
}
