import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { commandOutcomeSchema, systemTopics, zoneTopics, type CommandOutcome } from '@mpvisor/protocol';
import { z } from 'zod';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import type { Target, Transport } from './transport.js';
import { errorMessage } from '@mpvisor/sys';

export interface MqttTransportOptions {
  url: string;
  protocolVersion: 4 | 5;
  systemTopic: string;
  zoneTopic: (zone: string) => string;
  username?: string;
  password?: string;
}

const CONNECT_TIMEOUT_MS = 5000;
/** Any event on the events topic: only the ones carrying our id concern this command. */
const eventOfSchema = z.object({ type: z.string().optional(), id: z.unknown() });

/** The CLI over MQTT: publish a command with a fresh id, wait for the outcome with that id on the events topic. */
export class MqttTransport implements Transport {
  private constructor(
    private readonly client: MqttClient,
    private readonly opts: MqttTransportOptions,
  ) {}

  static async connect(opts: MqttTransportOptions): Promise<MqttTransport> {
    let client: MqttClient;
    try {
      client = await connectAsync(opts.url, {
        protocolVersion: opts.protocolVersion,
        clientId: `mpvisor-cli-${process.pid}-${randomUUID().slice(0, 8)}`,
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectPeriod: 0,
        clean: true,
        ...(opts.username !== undefined ? { username: opts.username } : {}),
        ...(opts.password !== undefined ? { password: opts.password } : {}),
      });
    } catch (err) {
      throw new CliError(`MQTT broker not reachable at ${opts.url}: ${errorMessage(err)}`, EXIT.unreachable);
    }
    // Cast: mqtt.js types its stream as a generic Duplex; over TCP it is a net.Socket, elsewhere the call is skipped.
    (client.stream as { setNoDelay?: (v: boolean) => void } | undefined)?.setNoDelay?.(true);
    return new MqttTransport(client, opts);
  }

  async status(): Promise<unknown> {
    const outcome = await this.command({ kind: 'system' }, { command: 'status' }, { timeoutMs: 5000 });
    if (outcome.outcome !== 'success') throw new CliError(`status failed: ${outcome.message}`, EXIT.failed);
    return outcome.result;
  }

  async command(
    target: Target,
    payload: Record<string, unknown>,
    opts: { timeoutMs?: number; onProgress?: (event: unknown) => void } = {},
  ): Promise<CommandOutcome> {
    const topics =
      target.kind === 'system' ? systemTopics(this.opts.systemTopic) : zoneTopics(this.opts.zoneTopic(target.zone));
    const commandTopic = topics.commands;
    const id = typeof payload.id === 'string' ? payload.id : `cli-${randomUUID()}`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    await this.client.subscribeAsync(topics.events, { qos: 1 });
    return new Promise<CommandOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('message', onMessage);
        reject(
          new CliError(
            `no outcome for ${String(payload.command)} (id ${id}) on ${topics.events} within ${timeoutMs} ms: is the supervisor running and connected to this broker?`,
            EXIT.unreachable,
          ),
        );
      }, timeoutMs);
      const onMessage = (topic: string, buf: Buffer) => {
        if (topic !== topics.events) return;
        let msg: unknown;
        try {
          msg = JSON.parse(buf.toString());
        } catch {
          return;
        }
        const event = eventOfSchema.safeParse(msg);
        if (!event.success || event.data.id !== id) return;
        const outcome = commandOutcomeSchema.safeParse(msg);
        if (outcome.success) {
          clearTimeout(timer);
          this.client.off('message', onMessage);
          resolve(outcome.data);
        } else if (event.data.type !== 'command') opts.onProgress?.(msg);
      };
      this.client.on('message', onMessage);
      this.client.publish(commandTopic, JSON.stringify({ ...payload, id }), { qos: 1 }, (err) => {
        if (err) {
          clearTimeout(timer);
          this.client.off('message', onMessage);
          reject(new CliError(`publish to ${commandTopic} failed: ${err.message}`, EXIT.unreachable));
        }
      });
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync().catch(() => this.client.end(true));
  }
}
