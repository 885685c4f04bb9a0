// The loaded configuration. Keys keep the INI's snake_case spelling so that a user reading
// `mpvisor config check --json` recognises them; every time is normalised to milliseconds.

import type { z } from 'zod';
import type {
  configProblemSchema,
  globalConfigSchema,
  mpvisorConfigSchema,
  mqttConfigSchema,
  systemConfigSchema,
  tlsConfigSchema,
} from './schema.js';

export type { RestartPolicyConfig, RestartType, ZoneConfig, ZoneKind } from '@mpvisor/protocol';
export type ConfigProblem = z.infer<typeof configProblemSchema>;
export type Severity = ConfigProblem['severity'];
export type TlsConfig = z.infer<typeof tlsConfigSchema>;
export type MqttConfig = z.infer<typeof mqttConfigSchema>;
export type GlobalConfig = z.infer<typeof globalConfigSchema>;
export type LogLevel = GlobalConfig['log_level'];
export type AudioFallback = GlobalConfig['audio_fallback'];
export type SystemConfig = z.infer<typeof systemConfigSchema>;
export type MpvisorConfig = z.infer<typeof mpvisorConfigSchema>;

export interface ParseOptions {
  /** Path shown in messages; relative paths in the file resolve against its folder. */
  sourceName?: string;
  /** For `${VAR}` expansion in values; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ParseResult {
  config: MpvisorConfig | null;
  problems: ConfigProblem[];
}
