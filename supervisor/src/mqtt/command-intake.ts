import { createHash } from 'node:crypto';
import type { Logger } from '@mpvisor/log';
import type { CommandOutcome } from '@mpvisor/protocol';
import type { IPublishPacket } from 'mqtt';
import type { CommandSource, Dispatcher } from '../commands/dispatcher.js';
import type { ReplyTopics } from './reply-topics.js';

export interface IntakeOutbound {
  publishOutcome(outcome: CommandOutcome, reply?: { topic: string; correlationData?: Buffer | undefined }): void;
  publishWarning(zone: string | null, message: string, detail?: Record<string, unknown>): void;
}

export interface CommandIntakeOptions {
  /** Exact command topic -> who receives it (system or a zone); undefined for a topic we do not serve. */
  route: (topic: string) => CommandSource | undefined;
  dispatcher: Dispatcher;
  outbound: IntakeOutbound;
  replies: ReplyTopics;
  log: Logger;
}

/**
 * The MQTT edge of the command path: what arrived retained is the broker's stored copy, not a live
 * command, and is never executed; a Response Topic is honoured only when ReplyTopics allows it; the
 * requester (response topic + correlation data) keeps one controller's ids apart from another's.
 */
export class CommandIntake {
  constructor(private readonly o: CommandIntakeOptions) {}

  async receive(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const source = this.o.route(topic);
    if (!source) return;
    const zone = source.kind === 'zone' ? source.zone : null;
    if (packet.retain) {
      const message = `ignored a retained message on ${topic}: commands are never taken from the broker's store (clear it: mosquitto_pub -r -n -t '${topic}')`;
      this.o.log.warn(message, { zone: zone ?? undefined, topic });
      this.o.outbound.publishWarning(zone, message, { topic });
      return;
    }
    const responseTopic = packet.properties?.responseTopic;
    const correlationData = packet.properties?.correlationData;
    const requester = responseTopic === undefined ? undefined : requesterKey(responseTopic, correlationData);
    const outcome = await this.o.dispatcher.dispatch(
      source,
      payload,
      `mqtt:${topic}`,
      requester === undefined ? {} : { requester },
    );
    if (responseTopic === undefined) {
      this.o.outbound.publishOutcome(outcome);
      return;
    }
    const check = this.o.replies.check(responseTopic, correlationData);
    if (check.ok) {
      this.o.outbound.publishOutcome(outcome, { topic: responseTopic, correlationData });
      return;
    }
    this.o.outbound.publishOutcome(outcome);
    const shown = responseTopic.length > 200 ? `${responseTopic.slice(0, 200)}...` : responseTopic;
    const message = `no reply sent for ${outcome.command ?? 'a command'}${outcome.id ? ` (id ${outcome.id})` : ''}: response topic ${JSON.stringify(shown)} refused because ${check.reason}; the outcome is on the events topic`;
    this.o.log.warn(message, { zone: zone ?? undefined, topic, id: outcome.id });
    this.o.outbound.publishWarning(zone, message, { id: outcome.id, command: outcome.command });
  }
}

/** A fixed-size key for the de-dup cache, whatever the sizes of the response topic and correlation data. */
function requesterKey(responseTopic: string, correlationData: Buffer | undefined): string {
  const h = createHash('sha256').update(responseTopic).update('\0');
  if (correlationData) h.update(correlationData);
  return `reply:${h.digest('base64url').slice(0, 22)}`;
}
