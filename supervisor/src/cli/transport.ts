import { loadConfigFile, type MpvisorConfig } from '@mpvisor/config';
import { commandOutcomeSchema, type CommandOutcome } from '@mpvisor/protocol';
import { z } from 'zod';
import { resolvePaths } from '../paths.js';
import { CliError, controlRequest } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { errorMessage } from '@mpvisor/sys';

export type Target = { kind: 'system' } | { kind: 'zone'; zone: string };

/** How a verb reaches the supervisor: the local control socket, or MQTT with --mqtt URL. */
export interface Transport {
  /** Supervisor and zone states (the `status` system command's result). */
  status(): Promise<unknown>;
  /** One command and its terminal outcome; progress events (reset phases) go to onProgress. */
  command(
    target: Target,
    payload: Record<string, unknown>,
    opts?: { timeoutMs?: number; onProgress?: (event: unknown) => void },
  ): Promise<CommandOutcome>;
  close(): Promise<void>;
}

/** Options every talking verb accepts (registered once in main.ts). */
export interface ConnectFlags {
  runDir?: string;
  mqtt?: string;
  config?: string;
  topic?: string;
  systemTopic?: string;
  protocolVersion?: number;
  /** Seconds to wait for an answer, overriding each verb's default. */
  wait?: number;
}

export const DEFAULT_BASE_TOPIC = 'paradox';
const DEFAULT_TIMEOUT_MS = 30_000;

const errorMessageOf = (data: unknown): string | undefined => {
  const r = z.object({ message: z.string() }).safeParse(data);
  return r.success ? r.data.message : undefined;
};

class ControlTransport implements Transport {
  constructor(private readonly socketPath: string) {}

  async status(): Promise<unknown> {
    return (await controlRequest(this.socketPath, { verb: 'status' }, 5000)).data;
  }

  async command(
    target: Target,
    payload: Record<string, unknown>,
    opts: { timeoutMs?: number; onProgress?: (event: unknown) => void } = {},
  ): Promise<CommandOutcome> {
    const reply = await controlRequest(
      this.socketPath,
      { verb: 'command', target, payload: JSON.stringify(payload) },
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      opts.onProgress,
    );
    const outcome = commandOutcomeSchema.safeParse(reply.data);
    if (!reply.ok || !outcome.success)
      throw new CliError(`supervisor error: ${errorMessageOf(reply.data) ?? 'not a command outcome'}`, EXIT.failed);
    return outcome.data;
  }

  async close(): Promise<void> {}
}

async function configFor(flags: ConnectFlags): Promise<MpvisorConfig | null> {
  if (!flags.config) return null;
  try {
    return await loadConfigFile(flags.config);
  } catch (err) {
    throw new CliError(`cannot use --config ${flags.config}: ${errorMessage(err)}`, EXIT.usage);
  }
}

/**
 * --mqtt URL talks to a supervisor anywhere through the broker. Topics: --system-topic, else the
 * config's [system:main] topic (with --config), else `{--topic or the config's base_topic or "paradox"}/system`;
 * a zone's topic is its configured topic, else `{base}/{zone}`.
 */
export async function openTransport(flags: ConnectFlags): Promise<Transport> {
  const config = await configFor(flags);
  if (!flags.mqtt) return new ControlTransport(resolvePaths(config, { runDir: flags.runDir }).controlSocket);
  const base = flags.topic ?? config?.mqtt.base_topic ?? DEFAULT_BASE_TOPIC;
  const systemTopic =
    flags.systemTopic ?? (flags.topic === undefined ? config?.system.topic : undefined) ?? `${base}/system`;
  const zoneTopic = (zone: string) => config?.zones.find((z) => z.name === zone)?.topic ?? `${base}/${zone}`;
  // mqtt.js is loaded only by verbs that go through the broker; the control socket needs none of it.
  const { MqttTransport } = await import('./mqtt-transport.js');
  return MqttTransport.connect({
    url: flags.mqtt,
    protocolVersion: flags.protocolVersion === 4 ? 4 : 5,
    systemTopic,
    zoneTopic,
    ...(config?.mqtt.username !== undefined ? { username: config.mqtt.username } : {}),
    ...(config?.mqtt.password !== undefined ? { password: config.mqtt.password } : {}),
  });
}

/** Open, run, always close. */
export async function withTransport<T>(flags: ConnectFlags, fn: (t: Transport) => Promise<T>): Promise<T> {
  const opened = await openTransport(flags);
  const wait = flags.wait;
  const t: Transport =
    wait === undefined
      ? opened
      : {
          status: () => opened.status(),
          command: (target, payload, opts) => opened.command(target, payload, { ...opts, timeoutMs: wait * 1000 }),
          close: () => opened.close(),
        };
  try {
    return await fn(t);
  } finally {
    await opened.close();
  }
}
