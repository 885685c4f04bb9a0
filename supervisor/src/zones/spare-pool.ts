import type { ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { WorkerToSupervisor } from '@mpvisor/protocol';
import { backoffBase } from '@mpvisor/sys';
import type { Clock } from '../clock.js';
import type { SpareBootstrap } from './bootstrap.js';
import type { ProcessReport, WorkerLink } from './runner-context.js';
import { spareIneligible, spareKey, spareKinds, type SpareKind } from './spare-kinds.js';
import { stopWorker } from './stop-worker.js';
import { WarmSpare, type SpareInfo, type SpareSource, type SpareWorker } from './warm-spare.js';
import { spawnWorker, type SpawnWorkerOptions, type WorkerProcess } from './worker-process.js';
import { tokenMatches } from './worker-token.js';

/** The ledger's zone label for a spare's processes until a zone adopts it. */
export const SPARE_LEDGER_ZONE = '(spare)';

export interface SparePoolOptions {
  /** Spares kept of each kind. */
  count: number;
  kinds: SpareKind[];
  /** What every spare's bootstrap shares; each kind adds its profile. */
  bootstrap: Omit<SpareBootstrap, 'spare'>;
  clock: Clock;
  log: Logger;
  workerEntry?: string;
  /** A spare not ready within this is killed (and counts as a failed boot). */
  startupTimeoutMs: number;
  /** A ready spare without a heartbeat for this long is killed and replaced. */
  heartbeatTimeoutMs: number;
  stopTimeoutMs: number;
  /** Pause before booting a replacement, so it does not compete for CPU with the recovery it enables. */
  replenishDelayMs?: number;
  /** Consecutive failed boots of a kind (exit or timeout before ready) after which that kind is given up for this run. */
  maxFailures?: number;
  /** For the ownership ledger, as zone workers report. */
  process?: (report: ProcessReport) => void;
  /** Starts a worker process (default: spawnWorker); fake-time tests hand in fake processes. */
  spawnWorker?: (opts: SpawnWorkerOptions) => WorkerProcess;
}

/** A kind's own failure streak and refill timer: one kind failing never holds up another. */
interface KindState {
  kind: SpareKind;
  failures: number;
  gaveUp: boolean;
  /** No zone needs this kind any more (a reload): its spares are stopped, none replaced. */
  retired: boolean;
  refill: unknown;
}

const fresh = (kind: SpareKind): KindState => ({ kind, failures: 0, gaveUp: false, retired: false, refill: null });

const DEFAULT_REPLENISH_MS = 400;
const DEFAULT_MAX_FAILURES = 5;
const MAX_BACKOFF_MS = 10_000;

/**
 * Warm standby workers: `count` of each kind, booted with idle mpv and no zone, handed to a zone of
 * their kind whose worker crashed or is reset (ZoneRunner.take -> `adopt`), replaced in the background
 * after a short pause. A spare that dies or stops heartbeating is replaced with backoff; after
 * maxFailures failed boots in a row its kind is given up (those zones then cold-start).
 */
export class SparePool implements SpareSource {
  private readonly spares: WarmSpare[] = [];
  private kinds: KindState[];
  private enabled = false;
  private stopped = false;

  constructor(private readonly o: SparePoolOptions) {
    this.kinds = o.kinds.map(fresh);
  }

  /**
   * Boot the spares (the app calls this once a zone is ready: a spare cannot start where no zone can),
   * after the replenish pause, so they do not compete for CPU with the zones' own start.
   */
  start(): void {
    if (this.enabled || this.stopped || this.o.count <= 0 || this.kinds.length === 0) return;
    this.enabled = true;
    this.o.log.info('warm spares starting', {
      count: this.o.count,
      kinds: this.kinds.map((k) => `${k.kind.label} (${k.kind.zones.join(', ')})`).join('; '),
    });
    for (const k of this.kinds) this.scheduleFill(k, this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS);
  }

  /** Shutdown has begun: no spare is booted or handed out from now on (stop() ends the running ones). */
  freeze(): void {
    this.stopped = true;
    for (const k of this.kinds) this.o.clock.clearTimeout(k.refill);
  }

  /**
   * The zones changed (a reload): spares of a kind no zone needs any more are stopped, a new kind's
   * boot (once the pool has started), a kept kind serves its zones as they are now.
   */
  setZones(zones: readonly ZoneConfig[]): void {
    const { kinds, uncovered } = spareKinds(zones);
    for (const u of uncovered) this.o.log.warn(`zone ${u.zone} has no warm spare (cold restarts): ${u.reason}`);
    const next = kinds.map((kind) => {
      const kept = this.kinds.find((k) => k.kind.key === kind.key);
      if (!kept) return fresh(kind);
      kept.kind = kind;
      return kept;
    });
    for (const k of this.kinds) {
      if (next.includes(k)) continue;
      k.retired = true;
      this.o.clock.clearTimeout(k.refill);
      for (const s of this.spares.filter((x) => x.kind.key === k.kind.key)) this.retire(s);
    }
    this.kinds = next;
    if (this.enabled) for (const k of next) this.scheduleFill(k, this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS);
  }

  private retire(spare: WarmSpare): void {
    this.o.log.info('spare no longer needed (its kind of zone is gone); stopping it', { pid: spare.worker.pid });
    spare.withdraw();
    const link = spare.link;
    void stopWorker(spare.worker, link ? (m) => link.send(m) : null, {
      reason: 'no zone of its kind',
      timeoutMs: this.o.stopTimeoutMs,
      log: this.o.log,
    });
  }

  private fill(k: KindState): void {
    k.refill = null;
    if (!this.enabled || this.stopped || k.gaveUp || k.retired) return;
    while (this.spares.filter((s) => s.kind.key === k.kind.key && !s.withdrawn).length < this.o.count) this.spawn(k);
  }

  private scheduleFill(k: KindState, delayMs: number): void {
    if (k.refill !== null || this.stopped || k.gaveUp || k.retired) return;
    k.refill = this.o.clock.setTimeout(() => this.fill(k), delayMs);
  }

  private spawn(k: KindState): void {
    const { log } = this.o;
    const worker = (this.o.spawnWorker ?? spawnWorker)({
      bootstrap: { ...this.o.bootstrap, mpvEnv: { ...this.o.bootstrap.mpvEnv, ...k.kind.env }, spare: k.kind.profile },
      entry: this.o.workerEntry,
      onOutputLine: (stream, line) => log.warn(line, { role: 'spare', stream }),
    });
    const spare = new WarmSpare(k.kind, worker, {
      clock: this.o.clock,
      log,
      startupTimeoutMs: this.o.startupTimeoutMs,
      heartbeatTimeoutMs: this.o.heartbeatTimeoutMs,
      ...(this.o.process ? { process: this.o.process } : {}),
      onReady: () => (k.failures = 0),
    });
    this.spares.push(spare);
    if (worker.pid > 0)
      this.o.process?.({ action: 'spawned', role: 'worker', instance: 'spare', pid: worker.pid, worker_pid: null });
    log.debug('spare spawned', { pid: worker.pid, kind: k.kind.label });
    void worker.exited.then((exit) => this.onExit(k, spare, exit));
  }

  private onExit(k: KindState, spare: WarmSpare, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    const i = this.spares.indexOf(spare);
    // Adopted spares belong to their zone now; its runner handles the exit.
    if (i < 0) return;
    this.spares.splice(i, 1);
    spare.release();
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
    if (this.stopped || k.retired) return;
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    if (spare.state !== 'ready') k.failures++;
    if (k.failures >= (this.o.maxFailures ?? DEFAULT_MAX_FAILURES)) {
      k.gaveUp = true;
      this.o.log.error(
        `${k.kind.label} spare worker ${how} before ready ${k.failures} times in a row; no more ${k.kind.label} spares this run (${k.kind.zones.join(', ')} cold-start)`,
        { pid: spare.worker.pid },
      );
      return;
    }
    const delay = backoffBase(
      { initialMs: this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS, factor: 2, maxMs: MAX_BACKOFF_MS, jitter: 0 },
      k.failures,
    );
    this.o.log.warn(`spare worker ${how}; replacing it in ${delay} ms`, {
      pid: spare.worker.pid,
      state: spare.state,
      kind: k.kind.label,
    });
    this.scheduleFill(k, delay);
  }

  /** The spare's hello (zone null): accepted once, for a spare we spawned, with that spawn's pid and token. */
  attach(link: WorkerLink, pid: number, token: string): ((msg: WorkerToSupervisor) => void) | null {
    const spare = this.spares.find(
      (s) => s.worker.pid === pid && s.link === null && tokenMatches(s.worker.token, token),
    );
    return spare ? spare.attach(link) : null;
  }

  take(zone: ZoneConfig): SpareWorker | null {
    if (this.stopped || spareIneligible(zone) !== null) return null;
    const key = spareKey(zone);
    const k = this.kinds.find((x) => x.kind.key === key);
    const spare = k && this.spares.find((s) => s.kind.key === key && s.usable && s.runnable());
    const handed = spare?.handOver() ?? null;
    if (!spare || !handed) return null;
    this.spares.splice(this.spares.indexOf(spare), 1);
    if (k) this.scheduleFill(k, this.o.replenishDelayMs ?? DEFAULT_REPLENISH_MS);
    return handed;
  }

  snapshot(): SpareInfo[] {
    const now = this.o.clock.now();
    return this.spares.map((s) => s.info(this.kinds.find((k) => k.kind.key === s.kind.key)?.kind.zones ?? [], now));
  }

  /** Every spare's worker, for the resource watch or a census. */
  get pids(): number[] {
    return this.spares.map((s) => s.worker.pid);
  }

  /** Stop every spare (graceful, bounded like a zone's stop); no replacement after this. */
  async stop(reason: string): Promise<boolean> {
    this.freeze();
    const results = await Promise.all(
      [...this.spares].map((s) => {
        s.release();
        const link = s.link;
        return stopWorker(s.worker, link ? (m) => link.send(m) : null, {
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
    this.freeze();
    for (const s of this.spares) s.worker.killGroup('SIGKILL');
  }
}
