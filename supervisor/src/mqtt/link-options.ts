import type { MqttConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import { availabilityTopic } from '@mpvisor/protocol';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { MqttLinkOptions } from './mqtt-link.js';

export interface LinkOptionsContext {
  mqtt: MqttConfig;
  /** The embedded broker when [mqtt] asks for one (started first): the link goes to it. */
  broker: EmbeddedBroker | null;
  log: Logger;
  onMessage: MqttLinkOptions['onMessage'];
}

/** Where the embedded broker listens: loopback unless [mqtt] broker names an address. */
export const embeddedBrokerHost = (mqtt: MqttConfig): string =>
  mqtt.broker === 'embedded' ? '127.0.0.1' : mqtt.broker;

/** The [mqtt] section as the link takes it; the embedded broker speaks MQTT 3.1.1 only. */
export function mqttLinkOptions(c: LinkOptionsContext): MqttLinkOptions {
  const { mqtt } = c;
  return {
    url: c.broker ? `mqtt://127.0.0.1:${c.broker.port}` : mqtt.url,
    protocolVersion: mqtt.embedded ? 4 : mqtt.protocol_version,
    clientId: mqtt.client_id,
    username: mqtt.username,
    password: mqtt.password,
    keepaliveS: mqtt.keepalive_s,
    tls: mqtt.tls,
    availabilityTopic: availabilityTopic(mqtt.base_topic, mqtt.device_name),
    log: c.log,
    onMessage: c.onMessage,
  };
}
