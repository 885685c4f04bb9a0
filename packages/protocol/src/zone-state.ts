import { z } from 'zod';
import { pfxBrowserSchema, type PfxZoneState } from './pfx-state.js';

export const ZONE_KINDS = ['audio', 'screen', 'combined-audio'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

export const ZONE_LIFECYCLE = ['starting', 'ready', 'degraded', 'restarting', 'failed', 'stopped'] as const;
export type ZoneLifecycle = (typeof ZONE_LIFECYCLE)[number];

export const SYSTEM_LIFECYCLE = ['starting', 'running', 'degraded', 'resetting', 'stopping'] as const;
export type SystemLifecycle = (typeof SYSTEM_LIFECYCLE)[number];

const playStatus = z.enum(['playing', 'paused', 'stopped']);

/** What the worker knows: the media side of a zone. Validated when it crosses the worker socket. */
const queueState = z.object({
  file: z.string().nullable(),
  status: playStatus,
  /** The first waiting item (ParadoxFX's `next`). */
  next: z.string().nullable(),
  queue_length: z.number().int(),
  queue: z.array(z.string()),
  /** The role's base volume (ParadoxFX's per-role `volume`). */
  volume: z.number(),
});

/**
 * What the worker knows: the media side of a zone, files as the absolute paths mpv plays. Validated when
 * it crosses the worker socket; the supervisor's zone state adds ParadoxFX's view of it (pfx-state.ts).
 */
export const mediaStateSchema = z.object({
  background: z.object({
    file: z.string().nullable(),
    status: playStatus,
    /** The base volume (ParadoxFX's meaning); effective_volume is what mpv plays at, ducks included. */
    volume: z.number(),
    effective_volume: z.number(),
    loop: z.boolean(),
    position_s: z.number().nullable(),
  }),
  speech: queueState,
  effects: z.object({ active: z.number().int(), volume: z.number() }),
  video: queueState.optional(),
  image: z.object({ file: z.string().nullable() }).optional(),
  volume: z.number(),
  ducked: z.boolean(),
  ducking_adjust: z.number(),
  screen_asleep: z.boolean().optional(),
  browser: pfxBrowserSchema.optional(),
  paused_all: z.boolean(),
  audio_output: z.string(),
});
export type MediaState = z.infer<typeof mediaStateSchema>;

export const mpvInstanceSchema = z.object({
  role: z.string(),
  instance: z.string(),
  pid: z.number().int().nullable(),
  alive: z.boolean(),
  restarts: z.number().int(),
});
export type MpvInstanceInfo = z.infer<typeof mpvInstanceSchema>;

export interface LastExit {
  code: number | null;
  signal: string | null;
  reason: string;
  at: string;
}

export interface ResourceUsage {
  cpu_percent: number;
  rss_mb: number;
  processes: number;
}

/**
 * The retained `{zone topic}/state`: media from the worker merged with supervision facts, and
 * ParadoxFX's keys (files relative to the media folder there; the absolute path beside as `path`).
 */
export interface ZoneState extends Partial<Omit<MediaState, 'background' | 'speech' | 'video' | 'image'>>, PfxZoneState {
  background?: MediaState['background'] & { path?: string | null };
  speech?: MediaState['speech'] & { path?: string | null };
  video?: NonNullable<MediaState['video']> & { path?: string | null };
  image?: { file: string | null; path?: string | null };
  timestamp: string;
  zone: string;
  /** The zone kind (ParadoxFX's `type` is always "status"). */
  zone_type: ZoneKind;
  state: ZoneLifecycle;
  pid: number | null;
  restarts: number;
  last_exit: LastExit | null;
  next_restart_ms: number | null;
  uptime_ms: number;
  /** mpvisor's process view: every mpv with its pid, liveness and restarts (ParadoxFX's `mpv_instances` is keyed by role). */
  mpv_processes: MpvInstanceInfo[];
  resources: ResourceUsage | null;
  errors: string[];
}
