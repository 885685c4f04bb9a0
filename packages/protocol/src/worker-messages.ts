import { z } from 'zod';
import { mediaStateSchema, mpvInstanceSchema } from './zone-state.js';

/** Version of the supervisor<->worker protocol; a worker of another version is refused at hello. */
export const WORKER_PROTOCOL = 1;

const outcomeKind = z.enum(['success', 'failed', 'warning', 'invalid']);

export const mediaEventSchema = z.object({
  type: z.enum(['background', 'speech', 'effect', 'video', 'image', 'volume', 'mpv']),
  state: z.string(),
  file: z.string().nullable().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type MediaEvent = z.infer<typeof mediaEventSchema>;

export const workerToSupervisorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), zone: z.string(), pid: z.number().int(), protocol: z.number().int() }),
  z.object({ type: z.literal('ready'), mpv: z.array(mpvInstanceSchema) }),
  z.object({
    type: z.literal('heartbeat'),
    seq: z.number().int(),
    mpv: z.array(mpvInstanceSchema),
    healthy: z.boolean(),
    problems: z.array(z.string()),
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

/** Environment variable through which the supervisor hands a worker its bootstrap (JSON). */
export const WORKER_BOOTSTRAP_ENV = 'MPVISOR_WORKER_BOOTSTRAP';

/**
 * Everything a worker needs at start, handed over in WORKER_BOOTSTRAP_ENV. Generic over the zone
 * configuration type so protocol does not depend on the config package (config depends on protocol).
 */
export interface WorkerBootstrap<Zone> {
  zone: Zone;
  socketPath: string;
  mpvPath: string;
  runDir: string;
  stateDir: string;
  logLevel: string;
  heartbeatIntervalMs: number;
  audioFallback: 'null' | 'fail';
  /** Extra environment for mpv (PULSE_SERVER in tests). */
  mpvEnv?: Record<string, string>;
  /** What the zone was playing when the previous supervisor stopped; replayed once after ready. */
  resume?: WorkerResume;
}

/** The part of a zone's media state that survives a supervisor restart (from {stateDir}/zones.json). */
export interface WorkerResume {
  background?: { file: string; status: 'playing' | 'paused'; loop: boolean; position_s: number | null };
  volume?: number;
}
