import { z } from 'zod';

export const ZONE_KINDS = ['audio', 'screen', 'combined-audio'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

export const ZONE_LIFECYCLE = ['starting', 'ready', 'degraded', 'restarting', 'failed', 'stopped'] as const;
export type ZoneLifecycle = (typeof ZONE_LIFECYCLE)[number];

export const SYSTEM_LIFECYCLE = ['starting', 'running', 'degraded', 'paused', 'resetting', 'stopping'] as const;
export type SystemLifecycle = (typeof SYSTEM_LIFECYCLE)[number];

const playStatus = z.enum(['playing', 'paused', 'stopped']);

/**
 * A queue is listed by its first items only: a full speech and video queue of long paths would make one
 * state message larger than the worker socket carries. queue_length is always the whole count.
 */
export const QUEUE_LIST_MAX = 32;
const queueList = z.array(z.string()).max(QUEUE_LIST_MAX);

/** What the worker knows: the media side of a zone. Validated when it crosses the worker socket. */
export const mediaStateSchema = z.object({
  background: z.object({
    file: z.string().nullable(),
    status: playStatus,
    volume: z.number(),
    loop: z.boolean(),
    position_s: z.number().nullable(),
  }),
  speech: z.object({
    file: z.string().nullable(),
    status: playStatus,
    queue_length: z.number().int(),
    queue: queueList,
  }),
  effects: z.object({ active: z.number().int() }),
  video: z
    .object({ file: z.string().nullable(), status: playStatus, queue_length: z.number().int(), queue: queueList })
    .optional(),
  image: z.object({ file: z.string().nullable() }).optional(),
  volume: z.number(),
  ducked: z.boolean(),
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

/** The retained `{zone topic}/state`: media from the worker merged with supervision facts. */
export interface ZoneState extends Partial<MediaState> {
  timestamp: string;
  zone: string;
  type: ZoneKind;
  state: ZoneLifecycle;
  pid: number | null;
  restarts: number;
  last_exit: LastExit | null;
  next_restart_ms: number | null;
  uptime_ms: number;
  mpv_instances: MpvInstanceInfo[];
  resources: ResourceUsage | null;
  errors: string[];
}
