import type { MpvisorConfig, ZoneConfig } from '@mpvisor/config';
import { availabilityTopic, systemTopics, zoneTopics } from '@mpvisor/protocol';

/** Every topic the supervisor listens or speaks on: a reply must never land on one of them. */
export function ownTopics(config: MpvisorConfig, zones: readonly ZoneConfig[]): string[] {
  return [
    ...Object.values(systemTopics(config.system.topic)),
    ...zones.flatMap((z) => Object.values(zoneTopics(z.topic))),
    availabilityTopic(config.mqtt.base_topic, config.mqtt.device_name),
    config.global.heartbeat_topic,
  ];
}
