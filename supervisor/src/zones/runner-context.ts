import type { ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { MediaEvent, SupervisorToWorker } from '@mpvisor/protocol';
import type { Clock } from '../clock.js';
import type { WorkerBootstrap } from './bootstrap.js';
import type { StartGate } from './start-gate.js';
import type { SpareSource } from './warm-spare.js';
import type { SpawnWorkerOptions, WorkerProcess } from './worker-process.js';

/** What a ZoneRunner is given: its zone, how to start its worker, and where to report. */
export interface ZoneRunnerContext {
  zone: ZoneConfig;
  bootstrap: WorkerBootstrap;
  clock: Clock;
  log: Logger;
  hooks: ZoneHooks;
  workerEntry?: string;
  /** auto_reset_threshold when [system:main] auto_reset_enabled, else null. */
  autoResetThreshold?: number | null;
  /** Jitter source, injected by tests. */
  random?: () => number;
  /** Warm spares: a restart after a crash adopts a ready one when it can instead of a cold spawn. */
  spares?: SpareSource;
  /**
   * An auto reset of this zone through the reset coordinator (phases, counts, one reset at a time); false
   * when it cannot run it now, and the zone restarts itself as before.
   */
  autoReset?: (zone: string, reason: string) => boolean;
  /** Shared by the zones of one run: how many first starts run at once (none: all at once). */
  startGate?: StartGate;
  /** Starts a worker process (default: spawnWorker); fake-time tests hand in fake processes. */
  spawnWorker?: (opts: SpawnWorkerOptions) => WorkerProcess;
}

/** A process the supervisor learned about: a worker it spawned, or an mpv a worker reported. */
export interface ProcessReport {
  action: 'spawned' | 'exited';
  role: string;
  instance: string;
  pid: number;
  /** For an mpv: the worker that reported it. */
  worker_pid: number | null;
}

/** What a zone tells the rest of the supervisor; the zone's own modules publish nothing. */
export interface ZoneHooks {
  stateChanged(zone: string): void;
  lifecycle(zone: string, event: string, detail: Record<string, unknown>): void;
  mediaEvent(zone: string, event: MediaEvent): void;
  warning(zone: string, message: string): void;
  /** A worker spawned or exited, or an mpv its worker reported (for the ownership ledger). */
  process?(zone: string, report: ProcessReport): void;
}

/** A zone's line to its worker: the connection the worker's hello attached (or an adopted spare's). */
export interface WorkerLink {
  send(msg: SupervisorToWorker): boolean;
  close(): void;
  /** Settles once when the connection is gone, whoever closed it. */
  readonly closed: Promise<void>;
}
