// The loaded configuration's one definition: the INI reader checks each value (with its line) and
// builds this shape, which is then parsed once; every type of the configuration is inferred from here.
import { LOG_LEVELS, restartPolicyConfigSchema, zoneConfigSchema } from '@mpvisor/protocol';
import { z } from 'zod';

export const configProblemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  /** Section name without brackets, e.g. `audio:lobby`; '' for the file itself. */
  section: z.string(),
  key: z.string().optional(),
  line: z.number().optional(),
  message: z.string(),
});

export const tlsConfigSchema = z.object({
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  reject_unauthorized: z.boolean(),
});

export const mqttConfigSchema = z.object({
  embedded: z.boolean(),
  broker: z.string(),
  port: z.number(),
  /** mqtt://host:port or mqtts://host:port */
  url: z.string(),
  username: z.string().optional(),
  password: z.string().optional(),
  client_id: z.string(),
  keepalive_s: z.number(),
  clean_session: z.boolean(),
  base_topic: z.string(),
  device_name: z.string(),
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. Always 4 with the embedded broker. */
  protocol_version: z.union([z.literal(4), z.literal(5)]),
  /** MQTT 5 Response Topics are answered only under this topic (never on it). */
  reply_prefix: z.string(),
  tls: tlsConfigSchema.optional(),
});

export const globalConfigSchema = z.object({
  log_level: z.enum(LOG_LEVELS),
  message_level: z.string(),
  media_base_path: z.string(),
  heartbeat_enabled: z.boolean(),
  heartbeat_interval_ms: z.number(),
  heartbeat_topic: z.string(),
  ducking_adjust: z.number(),
  max_volume: z.number(),
  mpv_path: z.string(),
  run_dir: z.string().optional(),
  state_dir: z.string().optional(),
  audio_fallback: z.enum(['null', 'fail']),
  /** The zones' `isolate_output` where their own section does not say (docs/configuration.md). */
  isolate_output: z.boolean(),
  /** ParadoxFX keys accepted for compatibility but not used by mpvisor. */
  extra: z.record(z.string(), z.string()),
});

export const systemConfigSchema = z.object({
  topic: z.string(),
  reset_timeout_ms: z.number(),
  auto_reset_enabled: z.boolean(),
  auto_reset_threshold: z.number(),
  keep_alive_enabled: z.boolean(),
  keep_alive_interval_ms: z.number(),
  allow_host_commands: z.boolean(),
  warm_spares: z.number(),
  restart: restartPolicyConfigSchema,
});

export const mpvisorConfigSchema = z.object({
  /** Absolute path of the INI file, or null for the built-in demo. */
  source: z.string().nullable(),
  mqtt: mqttConfigSchema,
  global: globalConfigSchema,
  system: systemConfigSchema,
  /** In file order, disabled zones included. */
  zones: z.array(zoneConfigSchema),
  /** Warnings only: any error makes loading fail. */
  problems: z.array(configProblemSchema),
});
