import type { ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type {
  HandlerResult,
  LastExit,
  MediaEvent,
  MediaState,
  MpvInstanceInfo,
  SupervisorToWorker,
  WorkerToSupervisor,
  ZoneLifecycle,
  WorkerResume,
  ZoneState,
} from '@mpvisor/protocol';
import type { Clock } from '../clock.js';
import { decideRestart, freshRecord, resetRecord, type RestartRecord } from './restart-policy.js';
import { spawnWorker, type WorkerExit, type WorkerProcess } from './worker-process.js';
import type { WorkerBootstrap } from './bootstrap.js';
import { PendingRequests } from './pending-requests.js';
import { resumeAfterCrash } from './restore-media.js';
import type { SpareSource } from './spare-pool.js';

export interface WorkerLink {
  send(msg: SupervisorToWorker): boolean;
  close(): void;
}

/** What a zone tells the rest of the supervisor; the runner itself publishes nothing. */
export interface ZoneHooks {
  stateChanged(zone: string): void;
  lifecycle(zone: string, event: string, detail: Record<string, unknown>): void;
  mediaEvent(zone: string, event: MediaEvent): void;
  warning(zone: string, message: string): void;
  /** A worker spawned or exited, or an mpv its worker reported (for the ownership ledger). */
  process?(zone: string, report: { action: 'spawned' | 'exited'; role: string; instance: string; pid: number; worker_pid: number | null }): void;
}

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
}

/**
 * One zone's supervision: spawns its worker, waits for readiness (failing closed), watches heartbeats,
 * and turns exits into restart decisions. The decision itself is the pure restart-policy module.
 */
export class ZoneRunner {
  private lifecycle: ZoneLifecycle = 'stopped';
  private worker: WorkerProcess | null = null;
  private link: WorkerLink | null = null;
  private record: RestartRecord = freshRecord();
  private readyAt: number | null = null;
  private spawnedAt: number | null = null;
  private lastExit: LastExit | null = null;
  private nextRestartAt: number | null = null;
  private media: MediaState | null = null;
  private mpv: MpvInstanceInfo[] = [];
  private errors: string[] = [];
  private timers = { startup: null as unknown, heartbeat: null as unknown, restart: null as unknown };
  private stopping = false;
  private readonly pending = new PendingRequests();
  private readyWaiters: Array<() => void> = [];
  private resources: ZoneState['resources'] = null;
  /** How the current worker came: spawned for this zone, or a warm spare adopted. */
  private via: 'cold' | 'spare' = 'cold';
  /**
   * What the next worker resumes: `initial` keeps the bootstrap's own (the first start); after a crash,
   * what the dead worker last reported; after a restart or reset command, nothing.
   */
  private nextResume: WorkerResume | undefined | 'initial' = 'initial';

  constructor(private readonly ctx: ZoneRunnerContext) {}

  get name(): string {
    return this.ctx.zone.name;
  }

  get pid(): number | null {
    return this.worker?.pid ?? null;
  }

  get state(): ZoneLifecycle {
    return this.lifecycle;
  }

  get mpvPids(): number[] {
    return this.mpv.flatMap((m) => (m.pid !== null && m.alive ? [m.pid] : []));
  }

  start(): void {
    this.stopping = false;
    this.spawn();
  }

  /** Resolves once the zone is ready, failed or stopped; the bound is the caller's. */
  settled(): Promise<void> {
    if (this.lifecycle !== 'starting' && this.lifecycle !== 'restarting') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private setLifecycle(next: ZoneLifecycle): void {
    if (next === this.lifecycle) return;
    this.lifecycle = next;
    if (next !== 'starting' && next !== 'restarting') {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w();
    }
    this.ctx.hooks.stateChanged(this.name);
  }

  private spawn(): void {
    const { clock, zone, log } = this.ctx;
    this.nextRestartAt = null;
    this.readyAt = null;
    this.mpv = [];
    this.spawnedAt = clock.now();
    this.setLifecycle(this.record.total > 0 ? 'restarting' : 'starting');
    const bootstrap = this.nextResume === 'initial' ? this.ctx.bootstrap : { ...this.ctx.bootstrap, resume: this.nextResume };
    this.via = 'cold';
    const worker = spawnWorker({
      bootstrap,
      entry: this.ctx.workerEntry,
      onOutputLine: (stream, line) => log.warn(line, { role: 'worker', stream }),
    });
    this.worker = worker;
    if (worker.pid > 0) this.ctx.hooks.process?.(this.name, { action: 'spawned', role: 'worker', instance: 'worker', pid: worker.pid, worker_pid: null });
    log.info('worker spawned', { pid: worker.pid });
    this.timers.startup = clock.setTimeout(() => {
      this.fail(`not ready within startup_timeout_ms (${zone.restart.startup_timeout_ms} ms)`);
    }, zone.restart.startup_timeout_ms);
    void worker.exited.then((exit) => this.onExit(worker, exit));
  }

  /**
   * Take over a ready warm spare instead of spawning: it already runs its mpv, so `adopt` (zone config
   * and what to resume) is all it needs. From here the runner owns that process exactly like one it
   * spawned: exit handling, startup and heartbeat watchdogs, group kill, stdin pipe. False: no spare.
   */
  private adoptSpare(): boolean {
    const spare = this.ctx.spares?.take(this.ctx.zone);
    if (!spare) return false;
    const { clock, zone, log } = this.ctx;
    this.nextRestartAt = null;
    this.readyAt = null;
    this.mpv = [];
    this.spawnedAt = clock.now();
    this.setLifecycle(this.record.total > 0 ? 'restarting' : 'starting');
    const resume = this.nextResume === 'initial' ? this.ctx.bootstrap.resume : this.nextResume;
    const worker = spare.worker;
    this.worker = worker;
    this.link = spare.link;
    this.via = 'spare';
    spare.route((msg) => this.onMessage(msg));
    this.ctx.hooks.process?.(this.name, { action: 'spawned', role: 'worker', instance: 'worker', pid: worker.pid, worker_pid: null });
    log.info('adopting warm spare', { pid: worker.pid });
    this.timers.startup = clock.setTimeout(() => {
      this.fail(`adopted spare not ready within startup_timeout_ms (${zone.restart.startup_timeout_ms} ms)`);
    }, zone.restart.startup_timeout_ms);
    void worker.exited.then((exit) => this.onExit(worker, exit));
    spare.link.send({ type: 'adopt', zone: zone as unknown as Extract<SupervisorToWorker, { type: 'adopt' }>['zone'],
      heartbeat_interval_ms: this.ctx.bootstrap.heartbeatIntervalMs,
      ...(resume ? { resume } : {}),
    });
    return true;
  }

  /** After a crash: a warm spare if one is ready and fits this zone, else a cold spawn. */
  private respawn(): void {
    if (!this.adoptSpare()) this.spawn();
  }

  /** Kill the current worker for a health reason; its exit then goes through the restart policy. */
  private fail(reason: string): void {
    if (!this.worker) return;
    this.ctx.log.warn(`killing worker: ${reason}`, { pid: this.worker.pid });
    this.errors = [...this.errors.slice(-9), reason];
    this.pendingReason = reason;
    this.worker.killGroup('SIGKILL');
  }

  private pendingReason: string | null = null;

  attach(link: WorkerLink, pid: number): boolean {
    if (!this.worker || this.worker.pid !== pid) return false;
    this.link = link;
    return true;
  }

  onMessage(msg: WorkerToSupervisor): void {
    const { clock, log } = this.ctx;
    switch (msg.type) {
      case 'ready':
        clock.clearTimeout(this.timers.startup);
        this.readyAt = clock.now();
        this.mpv = msg.mpv;
        this.armHeartbeat();
        log.info(this.via === 'spare' ? 'zone ready (adopted warm spare)' : 'zone ready', { pid: this.pid, mpv: msg.mpv.map((m) => `${m.role}:${m.pid}`).join(',') });
        if (this.via === 'spare') {
          // The spare's mpv were recorded as the spare's; they are this zone's now.
          for (const m of msg.mpv) {
            if (m.pid !== null) this.ctx.hooks.process?.(this.name, { action: 'spawned', role: m.role, instance: m.instance, pid: m.pid, worker_pid: this.pid });
          }
        }
        this.setLifecycle('ready');
        this.ctx.hooks.lifecycle(this.name, this.record.total > 0 ? 'restarted' : 'started', {
          pid: this.pid,
          restarts: this.record.total,
          startup_ms: Math.round(this.readyAt - (this.spawnedAt ?? this.readyAt)),
          ...(this.record.total > 0 ? { via: this.via } : {}),
        });
        break;
      case 'heartbeat': {
        this.armHeartbeat();
        // Heartbeats arrive every second; only a real change is worth a retained publish.
        const changed = JSON.stringify(msg.mpv) !== JSON.stringify(this.mpv);
        this.mpv = msg.mpv;
        // The position moves every beat; kept (for a resume after a crash) without a state publish.
        if (this.media && typeof msg.background_position_s === 'number') {
          this.media = { ...this.media, background: { ...this.media.background, position_s: msg.background_position_s } };
        }
        if (this.readyAt !== null) this.setLifecycle(msg.healthy ? 'ready' : 'degraded');
        if (changed) this.ctx.hooks.stateChanged(this.name);
        break;
      }
      case 'state':
        this.media = msg.media;
        this.ctx.hooks.stateChanged(this.name);
        break;
      case 'event':
        this.ctx.hooks.mediaEvent(this.name, msg.event);
        break;
      case 'warning':
        log.warn(msg.message, { role: 'worker' });
        this.ctx.hooks.warning(this.name, msg.message);
        break;
      case 'log':
        log[msg.level](msg.message, { ...msg.fields });
        break;
      case 'response':
        this.pending.settle(msg.reply_to, {
          outcome: msg.outcome,
          message: msg.message,
          error_type: (msg.error_type ?? null) as HandlerResult['error_type'],
          result: msg.result,
        });
        break;
      case 'process':
        this.ctx.hooks.process?.(this.name, { action: msg.action, role: msg.role, instance: msg.instance, pid: msg.pid, worker_pid: this.pid });
        break;
      case 'hello':
        break;
    }
  }

  private armHeartbeat(): void {
    const { clock, zone } = this.ctx;
    clock.clearTimeout(this.timers.heartbeat);
    this.timers.heartbeat = clock.setTimeout(() => {
      this.fail(`no heartbeat for ${zone.restart.heartbeat_timeout_ms} ms`);
    }, zone.restart.heartbeat_timeout_ms);
  }

  private onExit(worker: WorkerProcess, exit: WorkerExit): void {
    if (worker.pid > 0) this.ctx.hooks.process?.(this.name, { action: 'exited', role: 'worker', instance: 'worker', pid: worker.pid, worker_pid: null });
    if (worker !== this.worker) return;
    const { clock, log, zone, hooks } = this.ctx;
    clock.clearTimeout(this.timers.startup);
    clock.clearTimeout(this.timers.heartbeat);
    // The worker leads its group: take down any mpv it could not stop itself.
    worker.killGroup('SIGKILL');
    const uptimeMs = this.readyAt === null ? 0 : clock.now() - this.readyAt;
    const reason = this.pendingReason ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`);
    this.pendingReason = null;
    this.lastExit = { code: exit.code, signal: exit.signal, reason, at: new Date().toISOString() };
    this.worker = null;
    if (!this.stopping) this.nextResume = resumeAfterCrash(this.media);
    this.link?.close();
    this.link = null;
    this.mpv = [];
    this.pending.failAll('zone_unavailable', `worker exited: ${reason}`);
    if (this.stopping) {
      this.setLifecycle(this.halting ? 'restarting' : 'stopped');
      return;
    }
    log.warn('worker exited', { code: exit.code, signal: exit.signal, reason, uptime_ms: Math.round(uptimeMs) });
    hooks.lifecycle(this.name, 'crashed', { code: exit.code, signal: exit.signal, reason, uptime_ms: Math.round(uptimeMs) });
    const decision = decideRestart(zone.restart, this.record, { ...exit, uptimeMs }, clock.now(), {
      random: this.ctx.random,
      autoResetThreshold: this.ctx.autoResetThreshold ?? null,
    });
    this.record = decision.record;
    if (decision.action === 'auto_reset') {
      // Soft reset until the reset coordinator exists: a restart with a fresh policy record.
      log.warn('auto reset', { reason: decision.reason });
      this.nextRestartAt = clock.now();
      this.setLifecycle('restarting');
      hooks.lifecycle(this.name, 'auto_reset', { level: 'soft', reason: decision.reason, consecutive_failures: decision.consecutive });
      this.timers.restart = clock.setTimeout(() => this.spawn(), 0);
    } else if (decision.action === 'restart') {
      this.nextRestartAt = clock.now() + decision.delayMs;
      this.setLifecycle('restarting');
      hooks.lifecycle(this.name, 'restarting', {
        attempt: decision.attempt,
        max: zone.restart.max_restarts,
        delay_ms: decision.delayMs,
      });
      // A warm spare is adopted at once at 0 ms (no cold start for a request to wait on). A cold spawn
      // goes through the event loop even at 0 ms, so a stop or reset request is served between attempts.
      if (decision.delayMs > 0 || !this.adoptSpare()) this.timers.restart = clock.setTimeout(() => this.respawn(), decision.delayMs);
    } else {
      this.errors = [...this.errors.slice(-9), decision.reason];
      this.setLifecycle(decision.action === 'give_up' ? 'failed' : 'stopped');
      hooks.lifecycle(this.name, decision.action === 'give_up' ? 'failed' : 'stopped', { reason: decision.reason });
    }
  }

  /** Send a command to the worker and await its response; the dispatcher bounds the wait. */
  request(command: string, args: Record<string, unknown>, id: string | null, timeoutMs: number): Promise<HandlerResult> {
    if (!this.link || (this.lifecycle !== 'ready' && this.lifecycle !== 'degraded')) {
      return Promise.resolve({
        outcome: 'failed',
        message: `zone ${this.name} is ${this.lifecycle}`,
        error_type: 'zone_unavailable',
      });
    }
    const { reqId, promise } = this.pending.open(timeoutMs);
    this.link.send({ type: 'request', req_id: reqId, command, args, id, timeout_ms: timeoutMs });
    return promise;
  }

  /**
   * Restart by command: a clean slate for the policy, the old worker killed at once. `resume` (a reset
   * with preserve_state) is what the next worker replays; without it the zone starts from scratch.
   */
  async restart(reason: string, resume?: WorkerResume): Promise<void> {
    this.ctx.log.info('restart requested', { reason });
    this.ctx.hooks.lifecycle(this.name, 'restart_requested', { reason, previous_state: this.lifecycle });
    await this.halt({ graceful: false });
    this.relaunch(resume);
  }

  /**
   * First half of a reset: the worker and its whole process group gone, no restart timer, the zone
   * `restarting` until relaunch(). Graceful: shutdown message and stdin EOF, SIGKILL of the group after
   * boundMs; otherwise SIGKILL at once. Resolves once the worker has exited.
   */
  async halt(o: { graceful: boolean; boundMs?: number }): Promise<void> {
    const { clock } = this.ctx;
    clock.clearTimeout(this.timers.restart);
    clock.clearTimeout(this.timers.heartbeat);
    clock.clearTimeout(this.timers.startup);
    this.nextRestartAt = null;
    const old = this.worker;
    if (!old) return;
    this.stopping = true;
    this.halting = true;
    try {
      if (o.graceful) {
        this.link?.send({ type: 'shutdown', reason: 'reset', drain_ms: 0 });
        old.child.stdin?.end();
        if (!(await settlesWithin(old.exited, o.boundMs ?? 1000))) old.killGroup('SIGKILL');
      } else old.killGroup('SIGKILL');
      await old.exited;
      // The group may hold an mpv that did not quit with its worker.
      old.killGroup('SIGKILL');
    } finally {
      this.stopping = false;
      this.halting = false;
    }
  }

  /** Second half of a reset: a fresh worker with a clean restart record, replaying `resume` if given. */
  relaunch(resume?: WorkerResume): void {
    this.ctx.clock.clearTimeout(this.timers.restart);
    if (this.worker) return;
    this.record = resetRecord(this.record);
    this.nextResume = resume;
    this.stopping = false;
    this.spawn();
  }

  private halting = false;

  /**
   * Graceful stop bounded by stop_timeout_ms: ask (shutdown message, stdin EOF), SIGTERM the group
   * after min(1 s, half the bound), SIGKILL at the bound. Resolves true when no SIGKILL was needed.
   */
  async stop(reason: string): Promise<boolean> {
    this.stopping = true;
    const { clock, zone, log } = this.ctx;
    clock.clearTimeout(this.timers.restart);
    clock.clearTimeout(this.timers.heartbeat);
    clock.clearTimeout(this.timers.startup);
    const worker = this.worker;
    if (!worker) {
      this.setLifecycle('stopped');
      return true;
    }
    const timeout = zone.restart.stop_timeout_ms;
    const deadline = Date.now() + timeout;
    let clean = true;
    this.link?.send({ type: 'shutdown', reason, drain_ms: 0 });
    worker.child.stdin?.end();
    if (!(await settlesWithin(worker.exited, Math.min(1000, Math.floor(timeout / 2))))) {
      log.warn('worker did not stop when asked; sending SIGTERM', { pid: worker.pid });
      worker.killGroup('SIGTERM');
      if (!(await settlesWithin(worker.exited, Math.max(0, deadline - Date.now())))) {
        log.warn(`worker still running after stop_timeout_ms (${timeout} ms); sending SIGKILL`, { pid: worker.pid });
        worker.killGroup('SIGKILL');
        clean = false;
      }
    }
    await settlesWithin(worker.exited, 2000);
    // Sweep anything left in the worker's group (mpv it could not stop).
    worker.killGroup('SIGKILL');
    this.setLifecycle('stopped');
    return clean;
  }

  setResources(usage: ZoneState['resources']): void {
    this.resources = usage;
  }

  /** A resource limit held for long enough: always a warning; a restart (through the policy) if asked. */
  resourceLimit(message: string): void {
    this.errors = [...this.errors.slice(-9), message];
    this.ctx.hooks.warning(this.name, message);
    if (this.ctx.zone.restart.restart_on_resource_limit && (this.lifecycle === 'ready' || this.lifecycle === 'degraded')) {
      this.fail(`${message}; restart_on_resource_limit`);
    } else {
      this.ctx.hooks.stateChanged(this.name);
    }
  }

  snapshot(): ZoneState {
    const { clock, zone } = this.ctx;
    const now = clock.now();
    return {
      timestamp: new Date().toISOString(),
      zone: zone.name,
      type: zone.kind,
      state: this.lifecycle,
      pid: this.pid,
      restarts: this.record.total,
      last_exit: this.lastExit,
      next_restart_ms: this.nextRestartAt === null ? null : Math.max(0, Math.round(this.nextRestartAt - now)),
      uptime_ms: this.readyAt === null ? 0 : Math.round(now - this.readyAt),
      mpv_instances: this.mpv,
      resources: this.resources,
      errors: this.errors,
      ...(this.media ?? {}),
    };
  }

  get policy(): ZoneConfig['restart'] {
    return this.ctx.zone.restart;
  }

  /** The worker and its live mpv, with roles, for the resource watch. */
  processes(): Array<{ pid: number; role: string }> {
    if (!this.worker) return [];
    const mpv = this.mpv.flatMap((m) => (m.pid !== null && m.alive ? [{ pid: m.pid, role: `mpv:${m.role}` }] : []));
    return [{ pid: this.worker.pid, role: 'worker' }, ...mpv];
  }

  get workerPids(): number[] {
    return this.worker ? [this.worker.pid] : [];
  }

  get startedAtMs(): number | null {
    return this.spawnedAt;
  }
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}
