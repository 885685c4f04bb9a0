import { isJsonObject } from '@mpvisor/protocol';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { isPasswordHash } from './password-hash.js';

export const consoleConfigSchema = z
  .object({
    bind: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** `mpvisor console hash-password` prints one; required when bind is not a loopback address. */
    password_hash: z.string().refine(isPasswordHash, 'not a hash from `mpvisor console hash-password`').optional(),
    session_ttl_s: z.number().int().min(60).max(604_800).default(43_200),
    /** JSON lines of every action; standard output when absent. */
    audit_log: z.string().min(1).optional(),
    mqtt: z
      .object({
        url: z
          .string()
          .regex(/^mqtts?:\/\//, 'mqtt://host:port or mqtts://host:port')
          .default('mqtt://127.0.0.1:1883'),
        username: z.string().optional(),
        password: z.string().optional(),
        protocol_version: z.union([z.literal(4), z.literal(5)]).default(5),
        filters: z.array(z.string().min(1)).min(1).default(['#']),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** Validates the merged file and flag values; every problem as `key: message`. */
export function parseConsoleConfig(input: unknown): ConsoleConfig {
  const parsed = consoleConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; '));
  }
  const config = parsed.data;
  if (!isLoopback(config.bind) && config.password_hash === undefined) {
    throw new Error(
      `bind: ${config.bind} is not a loopback address, so password_hash is required (make one with \`mpvisor console hash-password\`)`,
    );
  }
  return config;
}

export async function readConsoleConfigFile(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8');
  const value: unknown = JSON.parse(text);
  if (!isJsonObject(value)) throw new Error(`${file}: not a JSON object`);
  return value;
}
