import type { MpvisorConfig } from '@mpvisor/config';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded-broker.js';
import type { SupervisorContext } from '../context.js';
import { embeddedBrokerHost, mqttLinkOptions } from '../mqtt/link-options.js';
import { MqttLink, type MqttLinkOptions } from '../mqtt/mqtt-link.js';
import { TopicRoutes } from '../mqtt/topic-routes.js';
import { Outbound } from '../outbound.js';

/** The embedded broker of this run, if [mqtt] wants one; a reloaded [mqtt] may replace it. */
export class BrokerSlot {
  constructor(
    private readonly ctx: SupervisorContext,
    private current: EmbeddedBroker | null,
  ) {}

  get broker(): EmbeddedBroker | null {
    return this.current;
  }

  /**
   * A reloaded [mqtt]: the embedded broker is kept when the new section wants the same one and replaced
   * otherwise (the link is down meanwhile).
   */
  async swap(next: MpvisorConfig): Promise<EmbeddedBroker | null> {
    const was = this.ctx.config.mqtt;
    const same =
      was.embedded &&
      next.mqtt.embedded &&
      embeddedBrokerHost(was) === embeddedBrokerHost(next.mqtt) &&
      was.port === next.mqtt.port;
    if (same) return this.current;
    await this.current?.close();
    this.current = next.mqtt.embedded ? await startBroker(this.ctx, next) : null;
    return this.current;
  }

  close(): Promise<void> {
    return this.current?.close() ?? Promise.resolve();
  }
}

/** The third stage: the broker link (not yet connected), the zone topic routes and what we publish. */
export interface Messaging {
  brokers: BrokerSlot;
  mqtt: MqttLink;
  routes: TopicRoutes;
  outbound: Outbound;
}

const startBroker = (ctx: SupervisorContext, config: MpvisorConfig) =>
  startEmbeddedBroker(embeddedBrokerHost(config.mqtt), config.mqtt.port, ctx.log.child({ component: 'broker' }));

/** `onMessage` is called once the link is started, by the last stage, which builds what takes the messages. */
export async function buildMessaging(
  ctx: SupervisorContext,
  onMessage: MqttLinkOptions['onMessage'],
): Promise<Messaging> {
  const { config, log } = ctx;
  const brokers = new BrokerSlot(ctx, config.mqtt.embedded ? await startBroker(ctx, config) : null);
  const mqtt = new MqttLink(
    mqttLinkOptions({ mqtt: config.mqtt, broker: brokers.broker, log: log.child({ component: 'mqtt' }), onMessage }),
  );
  const routes = new TopicRoutes(mqtt);
  const outbound = new Outbound({ mqtt, systemTopic: config.system.topic, zoneConfigs: ctx.zoneConfigs });
  return { brokers, mqtt, routes, outbound };
}
