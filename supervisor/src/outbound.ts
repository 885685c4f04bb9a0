import type { ZoneConfig } from '@mpvisor/config';
import { systemTopics, zoneTopics, type CommandOutcome, type MediaEvent, type PfxEvent } from '@mpvisor/protocol';
import type { MqttLink } from './mqtt/mqtt-link.js';
import { pfxCommandEvents, pfxMediaEvents } from './pfx-events.js';

export interface OutboundContext {
  mqtt: MqttLink;
  systemTopic: string;
  zoneConfigs: ReadonlyMap<string, ZoneConfig>;
}

/** Every event the supervisor publishes, on the topics it belongs on: outcomes, lifecycle, media, warnings. */
export class Outbound {
  constructor(private readonly o: OutboundContext) {}

  /** A zone's events topic, or the system's for null. */
  private eventsTopic(zone: string | null): string {
    return zone === null
      ? systemTopics(this.o.systemTopic).events
      : zoneTopics(this.o.zoneConfigs.get(zone)?.topic ?? '').events;
  }

  /** On the zone's (or the system's) events topic, and to an MQTT 5 response topic already checked by the intake. */
  publishOutcome(outcome: CommandOutcome, reply?: { topic: string; correlationData?: Buffer | undefined }): void {
    const zone = outcome.zone !== null && this.o.zoneConfigs.has(outcome.zone) ? outcome.zone : null;
    const payload = JSON.stringify(outcome);
    this.o.mqtt.publishEvent(this.eventsTopic(zone), payload);
    if (reply) this.o.mqtt.publishReply(reply.topic, payload, reply.correlationData);
    if (zone === null) return;
    if (outcome.outcome !== 'success') this.mirrorOnWarnings(zone, outcome);
    this.publishPfx(zone, pfxCommandEvents(this.o.zoneConfigs.get(zone)!, outcome));
  }

  /** ParadoxFX's event payloads, beside mpvisor's own: controllers written for ParadoxFX listen for these. */
  private publishPfx(zone: string, events: PfxEvent[]): void {
    for (const event of events) {
      this.o.mqtt.publishEvent(
        this.eventsTopic(zone),
        JSON.stringify({ timestamp: new Date().toISOString(), zone, ...event }),
      );
    }
  }

  /** ParadoxFX copies every failed or warning outcome to the zone's warnings topic; mpvisor's invalid too. */
  private mirrorOnWarnings(zone: string, o: CommandOutcome): void {
    const payload = {
      timestamp: o.timestamp,
      type: 'warning',
      zone,
      message: o.message,
      command: o.command,
      outcome: o.outcome,
      id: o.id,
      parameters: o.parameters,
      ...(o.error_type ? { error_type: o.error_type } : {}),
      ...(o.error_message ? { error_message: o.error_message } : {}),
      ...(o.warning_type ? { warning_type: o.warning_type } : {}),
    };
    this.o.mqtt.publishEvent(zoneTopics(this.o.zoneConfigs.get(zone)!.topic).warnings, JSON.stringify(payload));
  }

  /** On the zone's events and the system's, so one subscription sees every zone come and go. */
  publishLifecycle(zone: string, event: string, detail: Record<string, unknown>): void {
    const payload = JSON.stringify({
      timestamp: new Date().toISOString(),
      type: 'zone_lifecycle',
      zone,
      event,
      ...detail,
    });
    this.o.mqtt.publishEvent(this.eventsTopic(zone), payload);
    this.o.mqtt.publishEvent(this.eventsTopic(null), payload);
  }

  publishMediaEvent(zone: string, event: MediaEvent): void {
    this.o.mqtt.publishEvent(
      this.eventsTopic(zone),
      JSON.stringify({ timestamp: new Date().toISOString(), zone, ...event }),
    );
    const config = this.o.zoneConfigs.get(zone);
    if (config) this.publishPfx(zone, pfxMediaEvents(config, event));
  }

  /** On the zone's (or the system's, for null) warnings topic (ParadoxFX's) and its events. */
  publishWarning(zone: string | null, message: string, detail: Record<string, unknown> = {}): void {
    const payload = JSON.stringify({ timestamp: new Date().toISOString(), type: 'warning', zone, message, ...detail });
    const warnings =
      zone === null
        ? systemTopics(this.o.systemTopic).warnings
        : zoneTopics(this.o.zoneConfigs.get(zone)!.topic).warnings;
    this.o.mqtt.publishEvent(warnings, payload);
    this.o.mqtt.publishEvent(this.eventsTopic(zone), payload);
  }

  /** A system-wide event (reset progress) on the system's events topic. */
  publishSystemEvent(event: object): void {
    this.o.mqtt.publishEvent(this.eventsTopic(null), JSON.stringify(event));
  }
}
