import type { ZoneConfig } from '@mpvisor/config';
import { zoneTopics } from '@mpvisor/protocol';
import type { MqttLink } from './mqtt-link.js';

/**
 * Which zone an incoming topic commands, with the link's zone subscriptions kept in step: each running
 * zone's commands topic, re-subscribed when a reload changes them. Exact lookups only.
 */
export class TopicRoutes {
  private readonly toZone = new Map<string, string>();

  constructor(private readonly mqtt: MqttLink) {}

  zoneFor(topic: string): string | undefined {
    return this.toZone.get(topic);
  }

  /** Routes and subscriptions for these zones; returns what changed since the last call. */
  update(zones: Iterable<ZoneConfig>): { subscribed: string[]; unsubscribed: string[] } {
    const next = new Map([...zones].map((z) => [zoneTopics(z.topic).commands, z.name]));
    const unsubscribed = [...this.toZone.keys()].filter((t) => !next.has(t));
    const subscribed = [...next.keys()].filter((t) => !this.toZone.has(t));
    this.toZone.clear();
    for (const [t, z] of next) this.toZone.set(t, z);
    if (unsubscribed.length > 0) this.mqtt.unsubscribe(unsubscribed);
    if (subscribed.length > 0) this.mqtt.subscribe(subscribed);
    return { subscribed, unsubscribed };
  }
}
