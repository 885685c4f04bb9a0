import { z } from 'zod';
import { SYSTEM_LIFECYCLE, ZONE_KINDS, ZONE_LIFECYCLE } from '@mpvisor/protocol';

/*
 * What the console reads from the broker. Supervisors of other versions (and other programs) share the
 * broker, so these schemas ask only for what the console shows and let everything else through.
 */

const playing = z.object({ file: z.string().nullable(), status: z.string() }).loose();

export const zoneStateSchema = z
  .object({
    timestamp: z.string(),
    zone: z.string(),
    zone_type: z.enum(ZONE_KINDS),
    state: z.enum(ZONE_LIFECYCLE),
    pid: z.number().nullable(),
    restarts: z.number(),
    last_exit: z
      .object({ code: z.number().nullable(), signal: z.string().nullable(), reason: z.string(), at: z.string() })
      .loose()
      .nullable(),
    uptime_ms: z.number(),
    errors: z.array(z.string()).default([]),
    background: playing.extend({ volume: z.number().optional() }).optional(),
    speech: playing.extend({ queue_length: z.number().optional() }).optional(),
    video: playing.optional(),
    effects: z.object({ active: z.number() }).loose().optional(),
    volume: z.number().optional(),
    ducked: z.boolean().optional(),
    resources: z.object({ cpu_percent: z.number(), rss_mb: z.number() }).loose().nullable().optional(),
  })
  .loose();
export type ZoneStateView = z.infer<typeof zoneStateSchema>;

export const systemStateSchema = z
  .object({
    timestamp: z.string(),
    state: z.enum(SYSTEM_LIFECYCLE),
    pid: z.number(),
    uptime_ms: z.number(),
    zones: z.record(z.string(), z.string()),
  })
  .loose();
export type SystemStateView = z.infer<typeof systemStateSchema>;

export const heartbeatSchema = z
  .object({
    timestamp: z.string(),
    // ParadoxFX's heartbeat shape, which dashboards filter on: application "pfx"; mpvisor names itself
    // in `implementation` (a ParadoxFX node's heartbeat has none and is not one of ours).
    application: z.literal('pfx'),
    implementation: z.literal('mpvisor'),
    device_name: z.string(),
    ip_address: z.string().nullable().optional(),
    status: z.string(),
    uptime: z.number(),
    version: z.string().optional(),
  })
  .loose();
export type HeartbeatView = z.infer<typeof heartbeatSchema>;

export const metricsSchema = z
  .object({
    supervisor: z.object({ rss_mb: z.number() }).loose().nullable().optional(),
    zones: z
      .record(z.string(), z.object({ cpu_percent: z.number().optional(), rss_mb: z.number().optional() }).loose())
      .optional(),
  })
  .loose();
export type MetricsView = z.infer<typeof metricsSchema>;

export const outcomeSchema = z
  .object({
    type: z.literal('command'),
    command: z.string().nullable(),
    id: z.string().nullable(),
    zone: z.string().nullable(),
    outcome: z.enum(['success', 'failed', 'warning', 'invalid']),
    message: z.string(),
    error_type: z.string().nullable(),
    result: z.unknown().optional(),
    duration_ms: z.number(),
  })
  .loose();
export type OutcomeView = z.infer<typeof outcomeSchema>;

export const resetStatusSchema = z
  .object({
    type: z.literal('system_reset_status'),
    id: z.string().nullable(),
    phase: z.string(),
    progress: z.record(z.string(), z.number()).optional(),
    errors: z.array(z.string()).optional(),
    duration_ms: z.number().optional(),
  })
  .loose();
export type ResetStatusView = z.infer<typeof resetStatusSchema>;

/** Any other JSON event (lifecycle, media, warning): the console lists it by type and text. */
export const otherEventSchema = z
  .object({
    type: z.string().optional(),
    zone: z.string().nullable().optional(),
    event: z.string().optional(),
    message: z.string().optional(),
  })
  .loose();
export type OtherEventView = z.infer<typeof otherEventSchema>;
