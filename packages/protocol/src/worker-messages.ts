import { z } from 'zod';
import { mediaStateSchema, mpvInstanceSchema } from './zone-state.js';

/** Version of the supervisor<->worker protocol; a worker of another version is refused at hello. */
export const WORKER_PROTOCOL = 1;

const outcomeKind = z.enum(['success', 'failed', 'warning', 'invalid']);

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
  z.object({ type: z.literal('event'), event: mediaEventSchema }),
  z.object({ type: z.literal('warning'), message: z.string(), error_type: z.string().optional() }),
  z.object({
    type: z.literal('log'),
    level: z.enum(['error', 'warn', 'info', 'debug', 'trace']),
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
    error_type: z.string().nullable().optional(),
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
   * To a ready spare: become this zone. `zone` is the zone's configuration (the config package's
   * ZoneConfig, which protocol does not import), `resume` what the crashed worker was playing.
   * The worker answers `ready` with its mpv list once the zone runs.
   */
  z.object({
    type: z.literal('adopt'),
    zone: z.looseObject({ name: z.string().min(1), kind: z.string() }),
    /** The zone's heartbeat interval (zone workers get it in their bootstrap). */
    heartbeat_interval_ms: z.number().int().positive(),
    resume: workerResumeSchema.optional(),
  }),
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

/** What every worker is handed as the first line (JSON) of its stdin, zone worker or warm spare alike. */
export interface WorkerBootstrapBase {
  /** Random, new for every spawn; echoed in the hello so no other process can claim this worker's pid. */
  token: string;
  socketPath: string;
  mpvPath: string;
  runDir: string;
  stateDir: string;
  logLevel: string;
  heartbeatIntervalMs: number;
  audioFallback: 'null' | 'fail';
  /** Extra environment for mpv (PULSE_SERVER in tests). */
  mpvEnv?: Record<string, string>;
}

/**
 * Everything a zone worker needs at start. Generic over the zone configuration type so protocol does
 * not depend on the config package (config depends on protocol).
 */
export interface WorkerBootstrap<Zone> extends WorkerBootstrapBase {
  zone: Zone;
  /** What the zone was playing when the previous supervisor stopped; replayed once after ready. */
  resume?: WorkerResume;
}

/**
 * A warm spare: no zone yet. It starts the generic audio slots idle (background, speech and
 * `effects` effect voices), reports ready, and waits for an `adopt` message naming its zone.
 */
export interface SpareBootstrap extends WorkerBootstrapBase {
  zone: null;
  spare: { effects: number };
}

export type AnyWorkerBootstrap<Zone> = WorkerBootstrap<Zone> | SpareBootstrap;
