import type { ZoneConfig } from '@mpvisor/config';
import { isLiveState, readStat } from '@mpvisor/sys';
import type { Logger } from '@mpvisor/log';
import type { MpvInstanceInfo, WorkerToSupervisor } from '@mpvisor/protocol';
import type { Clock } from '../clock.js';
import type { SpareBootstrap } from './bootstrap.js';
import type { ProcessReport, WorkerLink } from './runner-context.js';
import { stopWorker } from './stop-worker.js';
import { backoffBase } from '@mpvisor/sys';
import { spawnWorker, type SpawnWorkerOptions, type WorkerProcess } from './worker-process.js';
import { tokenMatches } from './worker-token.js';

/** The ledger's zone label for a spare's processes until a zone adopts it. */
export const SPARE_LEDGER_ZONE = '(spare)';

/** A ready spare handed to a zone: the process, its link, and where its messages go from now on. */
export interface SpareWorker {
  worker: WorkerProcess;
  link: WorkerLink;
  route(onMessage: (msg: WorkerToSupervisor) => void): void;
}

/** What a ZoneRunner needs of the pool. */
export interface SpareSource {
  /** A ready spare for this zone, removed from the pool (a replacement follows), or null. */
  take(zone: ZoneConfig): SpareWorker | null;
}

export interface SpareInfo {
  pid: number;
  state: 'starting' | 'ready';
  uptime_ms: number;
  mpv_pids: number[];
}

export interface SparePoolOptions {
  count: number;
  bootstrap: SpareBootstrap;
  clock: Clock;
  log: Logger;
  workerEntry?: string;
  /** A spare not ready within this is killed (and counts as a failed boot). */
  startupTimeoutMs: number;
  stopTimeoutMs: number;
  /** Pause before booting a replacement, so it does not compete for CPU with the recovery it enables. */
  replenishDelayMs?: number;
  /** Consecutive failed boots (exit or timeout before ready) after which the pool gives up for this run. */
  maxFailures?: number;
  /** For the ownership ledger, as zone workers report. */
  process?: (report: ProcessReport) => void;
  /** Starts a worker process (default: spawnWorker); fake-time tests hand in fake processes. */
  spawnWorker?: (opts: SpawnWorkerOptions) => WorkerProcess;
}

interface Spare {
  worker: WorkerProcess;
  link: WorkerLink | null;
  state: 'starting' | 'ready';
  spawnedAt: number;
  mpv: MpvInstanceInfo[];
  startup: unknown;
  /** Once adopted: the zone runner's message handler. */
  sink: ((msg: WorkerToSupervisor) => void) | null;
}

const DEFAULT_REPLENISH_MS = 400;
const DEFAULT_MAX_FAILURES = 5;
const MAX_BACKOFF_MS = 10_000;

/**
 * Why a zone cannot take a spare (null: it can). A spare runs audio slots started without options on
 * the host's shared audio output (PulseAudio, else null); the device alone can change at runtime.
 */
export function spareIneligible(zone: ZoneConfig): string | null {
  if (zone.kind !== 'audio' && zone.kind !== 'combined-audio') return `a ${zone.kind} zone needs a video slot`;
  if (zone.mpv_audio_options.length > 0) return 'mpv_audio_options apply only to a freshly started mpv';
  const d = zone.audio_device;
  if (d !== undefined && d !== 'pulse' && !d.startsWith('pulse/'))
    return `audio_device ${d} is not a PulseAudio device`;
  return null;
}

/** The effects pool a spare starts: the most common size among the zones (ties: the larger), else 2. */
export function commonEffectsPool(zones: ZoneConfig[]): number {
  const counts = new Map<number, number>();
  for (const z of zones)
    if (spareIneligible(z) === null) counts.set(z.effects_pool_size, (counts.get(z.effects_pool_size) ?? 0) + 1);
  let best = 2;
  let bestCount = 0;
  for (const [size, n] of counts) if (n > bestCount || (n === bestCount && size > best)) [best, bestCount] = [size, n];
  return best;
}

/**
 * Warm standby workers: `count` workers booted with idle mpv and no zone, handed to a zone whose
 * worker crashed (ZoneRunner.take -> `adopt`), replaced in the background after a short pause. A spare
 * that dies is replaced with backoff; after maxFailures failed boots in a row the pool gives up (zones
 * then cold-start as without spares).
 */
export class SparePool implements SpareSource {
  private readonly spares: Spare[] = [];
  private enabled = false;
  private stopped = false;
  private failures = 0;
  private gaveUp = false;
  private refill: unknown = null;

  constructor(private readonly o: SparePoolOptions) {}

  get size(): number {
    return this.o.count;
  }

  /**
   * Boot the spares (the app calls this once a zone is ready: a spare cannot start where no zone can),
   * after the replenish pause, so they do not compete for CPU with the zones' own start.
   */
  start(): void {
    if (this.enabled || this.stopped || this.o.count <= 0) return;
    this.enabled = true;
    this.o.log.info('warm spares starting', { count: this.o.count, effects: this.o.bootstrap.spare.effects });
    this.scheduleFill(this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS);
  }

  /** Shutdown has begun: no spare is booted or handed out from now on (stop() ends the running ones). */
  freeze(): void {
    this.stopped = true;
    this.o.clock.clearTimeout(this.refill);
  }

  private fill(): void {
    this.refill = null;
    if (!this.enabled || this.stopped || this.gaveUp) return;
    while (this.spares.length < this.o.count) this.spawn();
  }

  private scheduleFill(delayMs: number): void {
    if (this.refill !== null || this.stopped || this.gaveUp) return;
    this.refill = this.o.clock.setTimeout(() => this.fill(), delayMs);
  }

  private spawn(): void {
    const { clock, log } = this.o;
    const worker = (this.o.spawnWorker ?? spawnWorker)({
      bootstrap: this.o.bootstrap,
      entry: this.o.workerEntry,
      onOutputLine: (stream, line) => log.warn(line, { role: 'spare', stream }),
    });
    const spare: Spare = {
      worker,
      link: null,
      state: 'starting',
      spawnedAt: clock.now(),
      mpv: [],
      startup: null,
      sink: null,
    };
    this.spares.push(spare);
    if (worker.pid > 0)
      this.o.process?.({ action: 'spawned', role: 'worker', instance: 'spare', pid: worker.pid, worker_pid: null });
    log.debug('spare spawned', { pid: worker.pid });
    spare.startup = clock.setTimeout(() => {
      log.warn(`spare not ready within ${this.o.startupTimeoutMs} ms; killing it`, { pid: worker.pid });
      worker.killGroup('SIGKILL');
    }, this.o.startupTimeoutMs);
    void worker.exited.then((exit) => this.onExit(spare, exit));
  }

  private onExit(spare: Spare, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    const i = this.spares.indexOf(spare);
    // Adopted spares belong to their zone now; its runner handles the exit.
    if (i < 0) return;
    this.spares.splice(i, 1);
    this.o.clock.clearTimeout(spare.startup);
    spare.worker.killGroup('SIGKILL');
    spare.link?.close();
    if (spare.worker.pid > 0)
      this.o.process?.({
        action: 'exited',
        role: 'worker',
        instance: 'spare',
        pid: spare.worker.pid,
        worker_pid: null,
      });
    if (this.stopped) return;
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    if (spare.state !== 'ready') this.failures++;
    if (this.failures >= (this.o.maxFailures ?? DEFAULT_MAX_FAILURES)) {
      this.gaveUp = true;
      this.o.log.error(
        `spare worker ${how} before ready ${this.failures} times in a row; no more warm spares this run (zones cold-start)`,
        { pid: spare.worker.pid },
      );
      return;
    }
    const delay = backoffBase(
      { initialMs: this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS, factor: 2, maxMs: MAX_BACKOFF_MS, jitter: 0 },
      this.failures,
    );
    this.o.log.warn(`spare worker ${how}; replacing it in ${delay} ms`, { pid: spare.worker.pid, state: spare.state });
    this.scheduleFill(delay);
  }

  /** The spare's hello (zone null): accepted once, for a spare we spawned, with that spawn's pid and token. */
  attach(link: WorkerLink, pid: number, token: string): ((msg: WorkerToSupervisor) => void) | null {
    const spare = this.spares.find(
      (s) => s.worker.pid === pid && s.link === null && tokenMatches(s.worker.token, token),
    );
    if (!spare) return null;
    spare.link = link;
    return (msg) => (spare.sink ? spare.sink(msg) : this.onMessage(spare, msg));
  }

  private onMessage(spare: Spare, msg: WorkerToSupervisor): void {
    const { log } = this.o;
    switch (msg.type) {
      case 'ready':
        this.o.clock.clearTimeout(spare.startup);
        spare.state = 'ready';
        spare.mpv = msg.mpv;
        this.failures = 0;
        log.info('spare ready', {
          pid: spare.worker.pid,
          boot_ms: Math.round(this.o.clock.now() - spare.spawnedAt),
          mpv: msg.mpv.map((m) => `${m.role}:${m.pid}`).join(','),
        });
        break;
      case 'heartbeat':
        spare.mpv = msg.mpv;
        break;
      case 'process':
        this.o.process?.({
          action: msg.action,
          role: msg.role,
          instance: msg.instance,
          pid: msg.pid,
          worker_pid: spare.worker.pid,
        });
        break;
      case 'warning':
        log.warn(msg.message, { role: 'spare', pid: spare.worker.pid });
        break;
      case 'log':
        log[msg.level](msg.message, { ...msg.fields, role: 'spare', pid: spare.worker.pid });
        break;
      default:
        break;
    }
  }

  take(zone: ZoneConfig): SpareWorker | null {
    if (this.stopped || spareIneligible(zone) !== null) return null;
    const i = this.spares.findIndex((s) => s.state === 'ready' && s.link !== null && this.runnable(s));
    if (i < 0) return null;
    const [spare] = this.spares.splice(i, 1) as [Spare];
    this.o.clock.clearTimeout(spare.startup);
    this.scheduleFill(this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS);
    return { worker: spare.worker, link: spare.link!, route: (fn) => (spare.sink = fn) };
  }

  /**
   * An idle spare sends no heartbeats, so before a zone gets it the kernel is asked: its worker and every
   * mpv it reported must exist and neither be stopped (SIGSTOP) nor a zombie. One that fails is killed
   * (its exit brings a replacement) rather than handed to a zone that would wait on it.
   */
  private runnable(spare: Spare): boolean {
    const pids = [spare.worker.pid, ...spare.mpv.flatMap((m) => (m.pid !== null ? [m.pid] : []))];
    const stuck = pids.find((pid) => {
      const st = readStat(pid);
      return st === null || !isLiveState(st.state) || st.state === 'T' || st.state === 't';
    });
    if (stuck === undefined) return true;
    this.o.log.warn('spare not runnable (a process gone or stopped); killing it', {
      pid: spare.worker.pid,
      process: stuck,
    });
    spare.worker.killGroup('SIGKILL');
    return false;
  }

  snapshot(): SpareInfo[] {
    const now = this.o.clock.now();
    return this.spares.map((s) => ({
      pid: s.worker.pid,
      state: s.state,
      uptime_ms: Math.round(now - s.spawnedAt),
      mpv_pids: s.mpv.flatMap((m) => (m.pid !== null && m.alive ? [m.pid] : [])),
    }));
  }

  /** Every spare's worker and mpv, for the resource watch or a census. */
  get pids(): number[] {
    return this.spares.map((s) => s.worker.pid);
  }

  /** Stop every spare (graceful, bounded like a zone's stop); no replacement after this. */
  async stop(reason: string): Promise<boolean> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.refill);
    const all = [...this.spares];
    const results = await Promise.all(
      all.map((s) => {
        this.o.clock.clearTimeout(s.startup);
        return stopWorker(s.worker, s.link ? (m) => s.link!.send(m) : null, {
          reason,
          timeoutMs: this.o.stopTimeoutMs,
          log: this.o.log,
        });
      }),
    );
    return results.every(Boolean);
  }

  /** Second signal: SIGKILL every spare's group now. */
  kill(): void {
    this.stopped = true;
    this.o.clock.clearTimeout(this.refill);
    for (const s of this.spares) s.worker.killGroup('SIGKILL');
  }
}
