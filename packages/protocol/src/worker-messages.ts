import { z } from 'zod';
import { errorTypeSchema } from './errors.js';
import { OUTCOME_KINDS } from './outcome.js';
import { zoneConfigSchema } from './zone-config.js';
import { mediaStateSchema, mpvInstanceSchema } from './zone-state.js';

/** Version of the supervisor<->worker protocol; a worker of another version is refused at hello. */
export const WORKER_PROTOCOL = 1;

const outcomeKind = z.enum(OUTCOME_KINDS);

/** Log levels, most severe first: the config's log_level, a worker's threshold and its log lines. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const mediaEventSchema = z.object({
  type: z.enum(['background', 'speech', 'effect', 'video', 'image', 'volume', 'mpv', 'output']),
  state: z.string(),
  file: z.string().nullable().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type MediaEvent = z.infer<typeof mediaEventSchema>;

/** The part of a zone's media state that survives a worker or supervisor restart. */
export const workerResumeSchema = z.object({
  background: z
    .object({
      file: z.string(),
      status: z.enum(['playing', 'paused']),
      loop: z.boolean(),
      position_s: z.number().nullable(),
    })
    .optional(),
  volume: z.number().optional(),
});
export type WorkerResume = z.infer<typeof workerResumeSchema>;

/** {stateDir}/zones.json: what each zone played, resumed by the next supervisor. Versioned so a future layout can be told apart. */
export const savedZonesSchema = z.object({
  version: z.literal(1),
  saved_at: z.string(),
  /** Why this snapshot was written: "change" (debounced) or "shutdown". */
  reason: z.string(),
  zones: z.record(z.string(), workerResumeSchema),
});
export type SavedZones = z.infer<typeof savedZonesSchema>;

export const workerToSupervisorSchema = z.discriminatedUnion('type', [
  /**
   * `zone: null` is a warm spare: booted with idle mpv, handed a zone later by an `adopt` message.
   * `token` echoes the bootstrap's: a pid is public, the token is what shows the supervisor spawned this worker.
   */
  z.object({
    type: z.literal('hello'),
    zone: z.string().nullable(),
    pid: z.number().int(),
    protocol: z.number().int(),
    token: z.string().max(128),
  }),
  z.object({ type: z.literal('ready'), mpv: z.array(mpvInstanceSchema) }),
  z.object({
    type: z.literal('heartbeat'),
    seq: z.number().int(),
    mpv: z.array(mpvInstanceSchema),
    healthy: z.boolean(),
    problems: z.array(z.string()),
    /** Background position sampled for this beat: what a replacement worker resumes at after a crash. */
    background_position_s: z.number().nullable().optional(),
    /** The background track's length, when mpv knows it: the position after a crash wraps on a loop. */
    background_duration_s: z.number().nullable().optional(),
  }),
  z.object({ type: z.literal('state'), media: mediaStateSchema }),
  /**
   * A stopping worker's mpv are paused and muted (the audio server has corked their streams): the zone
   * is silent although they have not exited yet, so a reset's warm spare may start playing.
   */
  z.object({ type: z.literal('silenced') }),
  z.object({ type: z.literal('event'), event: mediaEventSchema }),
  z.object({ type: z.literal('warning'), message: z.string(), error_type: z.string().optional() }),
  z.object({
    type: z.literal('log'),
    level: z.enum(LOG_LEVELS),
    message: z.string(),
    fields: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    type: z.literal('process'),
    action: z.enum(['spawned', 'exited']),
    role: z.string(),
    instance: z.string(),
    pid: z.number().int(),
    starttime: z.number().nullable().optional(),
  }),
  z.object({
    type: z.literal('response'),
    reply_to: z.number().int(),
    outcome: outcomeKind,
    message: z.string(),
    error_type: errorTypeSchema.nullable().optional(),
    warning_type: z.string().max(64).optional(),
    result: z.unknown().optional(),
    final: z.boolean().optional(),
  }),
]);
export type WorkerToSupervisor = z.infer<typeof workerToSupervisorSchema>;

export const supervisorToWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    req_id: z.number().int(),
    command: z.string(),
    args: z.record(z.string(), z.unknown()),
    id: z.string().nullable(),
    timeout_ms: z.number().int().positive(),
  }),
  z.object({ type: z.literal('shutdown'), reason: z.string(), drain_ms: z.number().int().nonnegative() }),
  /**
   * To a ready spare: become this zone (its configuration), resuming `resume`, what the crashed worker
   * was playing. The worker answers `ready` with its mpv list once the zone runs.
   */
  z.object({
    type: z.literal('adopt'),
    zone: zoneConfigSchema,
    /** The zone's heartbeat interval (zone workers get it in their bootstrap). */
    heartbeat_interval_ms: z.number().int().positive(),
    resume: workerResumeSchema.optional(),
  }),
  /**
   * To a ready spare a reset is handing this zone (`adopt` follows once the old worker is silent): load
   * the zone's background paused at `resume`'s position, on the zone's device, at the volume the zone
   * will give it, so that adopting it takes an unpause instead of a file load.
   */
  z.object({ type: z.literal('preload'), zone: zoneConfigSchema, resume: workerResumeSchema }),
]);
export type SupervisorToWorker = z.infer<typeof supervisorToWorkerSchema>;
export type WorkerRequest = Extract<SupervisorToWorker, { type: 'request' }>;
export type WorkerResponse = Extract<WorkerToSupervisor, { type: 'response' }>;

/** Validate a message from the socket; returns an Error rather than throwing, as the ipc layer expects. */
export function parseWorkerMessage(raw: unknown): WorkerToSupervisor | Error {
  const r = workerToSupervisorSchema.safeParse(raw);
  return r.success ? r.data : new Error(`invalid worker message: ${r.error.issues[0]?.message ?? 'unknown'}`);
}

export function parseSupervisorMessage(raw: unknown): SupervisorToWorker | Error {
  const r = supervisorToWorkerSchema.safeParse(raw);
  return r.success ? r.data : new Error(`invalid supervisor message: ${r.error.issues[0]?.message ?? 'unknown'}`);
}

/**
 * Set in every worker's environment and passed on to its mpv: the run directory of the supervisor that
 * owns the process. Not a secret; it tells our processes (orphans included) from anyone else's mpv.
 */
export const OWNER_RUN_DIR_ENV = 'MPVISOR_OWNER_RUN_DIR';

const bootstrapBaseSchema = z.object({
  /** Random, new for every spawn; echoed in the hello so no other process can claim this worker's pid. */
  token: z.string().min(1).max(128),
  socketPath: z.string().min(1),
  mpvPath: z.string(),
  runDir: z.string(),
  stateDir: z.string(),
  logLevel: z.enum(LOG_LEVELS),
  heartbeatIntervalMs: z.number().int().positive(),
  audioFallback: z.enum(['null', 'fail']),
  /** Extra environment for mpv (PULSE_SERVER in tests). */
  mpvEnv: z.record(z.string(), z.string()).optional(),
});

/** Everything a zone worker needs at start: the first line (JSON) of its stdin. */
export const workerBootstrapSchema = bootstrapBaseSchema.extend({
  zone: zoneConfigSchema,
  /** What the zone was playing when the previous supervisor stopped; replayed once after ready. */
  resume: workerResumeSchema.optional(),
});
export type WorkerBootstrap = z.infer<typeof workerBootstrapSchema>;

export const spareProfileSchema = z.object({
  /** Options of every audio mpv (the zones' mpv_audio_options). */
  audioArgs: z.array(z.string()),
  /** A screen zone's video mpv: its options and X display (null: the worker's own); null for audio zones. */
  video: z.object({ args: z.array(z.string()), display: z.string().nullable() }).nullable(),
});
/**
 * What a warm spare's mpv are started with. Zones whose mpv would be started with the same options
 * share one kind of spare; a spare is handed only to a zone of its kind.
 */
export type SpareProfile = z.infer<typeof spareProfileSchema>;

/**
 * A warm spare: no zone yet. It starts its profile's slots idle (background, speech and a screen's
 * video, the latter without a window; no effect voices, the adopting zone warms its pool), reports
 * ready, heartbeats while it waits, and waits for an `adopt` message naming its zone.
 */
export const spareBootstrapSchema = bootstrapBaseSchema.extend({
  zone: z.null(),
  spare: spareProfileSchema,
});
export type SpareBootstrap = z.infer<typeof spareBootstrapSchema>;

/** The one a worker reads decides what it becomes: `zone: null` is a warm spare. */
export type AnyWorkerBootstrap = WorkerBootstrap | SpareBootstrap;
