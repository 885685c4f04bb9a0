import { z } from 'zod';
import { pfxBrowserSchema, type PfxZoneState } from './pfx-state.js';

export const ZONE_KINDS = ['audio', 'screen', 'combined-audio'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

export const ZONE_LIFECYCLE = ['starting', 'ready', 'degraded', 'restarting', 'failed', 'stopped'] as const;
export type ZoneLifecycle = (typeof ZONE_LIFECYCLE)[number];

export const SYSTEM_LIFECYCLE = ['starting', 'running', 'degraded', 'paused', 'resetting', 'stopping'] as const;
export type SystemLifecycle = (typeof SYSTEM_LIFECYCLE)[number];

const playStatus = z.enum(['playing', 'paused', 'stopped']);

/** A screen's power as its display server reports it; `unknown` when no method could ask it. */
export const SCREEN_POWER = ['on', 'off', 'unknown'] as const;
export const screenPowerSchema = z.enum(SCREEN_POWER);
export type ScreenPower = z.infer<typeof screenPowerSchema>;

/**
 * A queue is listed by its first items only: a full speech and video queue of long paths would make one
 * state message larger than the worker socket carries. queue_length is always the whole count.
 */
export const QUEUE_LIST_MAX = 32;
const queueList = z.array(z.string()).max(QUEUE_LIST_MAX);

/**
 * Why a zone's audio may not be heard. `audio_server_missing`: no PulseAudio/PipeWire server;
 * `output_missing`: the zone's sink is gone (its streams wait on our silent holding sink), or a device behind
 * the zone's combine sink is (the zone plays on there, not heard on that device);
 * `stream_moved`: someone moved a stream of ours to another sink; the others are facts of the sink.
 */
export const OUTPUT_PROBLEMS = [
  'audio_server_missing',
  'output_missing',
  'stream_moved',
  'sink_suspended',
  'sink_muted',
  'sink_volume_zero',
] as const;
export type OutputProblem = (typeof OUTPUT_PROBLEMS)[number];

/** The truth about a zone's audio output, asked from the audio server (zones playing through PulseAudio/PipeWire). */
export const outputStatusSchema = z.object({
  /** The zone's own sink (its audio_device, or its combine sink). */
  sink: z.string(),
  server: z.boolean(),
  /** The sink is there, and so is every device behind it (`devices`). */
  present: z.boolean(),
  /** The devices behind the zone's combine sink and whether each is there; empty for a zone on its device itself. */
  devices: z.array(z.object({ name: z.string(), present: z.boolean() })),
  /** RUNNING, IDLE or SUSPENDED as the server says; null when the sink is absent. */
  sink_state: z.string().nullable(),
  muted: z.boolean().nullable(),
  volume_percent: z.number().nullable(),
  /** Our mpv streams that exist now and the sink each plays to. */
  streams: z.array(z.object({ role: z.string(), sink: z.string().nullable() })),
  problems: z.array(z.enum(OUTPUT_PROBLEMS)),
  /** One readable sentence for the first problem; null when there is none. */
  reason: z.string().nullable(),
  checked_at: z.string(),
});
export type OutputStatus = z.infer<typeof outputStatusSchema>;

/** What the worker knows: the media side of a zone. Validated when it crosses the worker socket. */
const queueState = z.object({
  file: z.string().nullable(),
  status: playStatus,
  /** The first waiting item (ParadoxFX's `next`). */
  next: z.string().nullable(),
  queue_length: z.number().int(),
  queue: queueList,
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
  screen_power: screenPowerSchema.optional(),
  browser: pfxBrowserSchema.optional(),
  paused_all: z.boolean(),
  audio_output: z.string(),
  output: outputStatusSchema.optional(),
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
export interface ZoneState
  extends Partial<Omit<MediaState, 'background' | 'speech' | 'video' | 'image'>>,
    PfxZoneState {
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
