import type { ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type {
  HandlerResult,
  MediaState,
  MpvInstanceInfo,
  SupervisorToWorker,
  WorkerResume,
  WorkerToSupervisor,
} from '@mpvisor/protocol';
import type { Clock } from '../clock.js';
import { exitReason } from './crash-recovery.js';
import { PendingRequests } from './pending-requests.js';
import type { WorkerLink, ZoneHooks } from './runner-context.js';
import { haltWorker, stopWorker } from './stop-worker.js';
import { Watchdogs } from './watchdogs.js';
import type { WorkerExit, WorkerProcess } from './worker-process.js';
import { tokenMatches } from './worker-token.js';

/** How long a worker whose connection closed may take to exit by itself before it is killed. */
const LINK_LOSS_GRACE_MS = 500;

/** A heartbeat's background position (sampled as it was sent) and the track's length, when the worker knows them. */
export interface BackgroundSample {
  position_s: number | null | undefined;
  duration_s: number | null | undefined;
}

/** What a session tells its zone's runner, which owns the zone's lifecycle. */
export interface SessionEvents {
  ready(session: WorkerSession): void;
  heartbeat(healthy: boolean, mpvChanged: boolean, background: BackgroundSample): void;
  state(media: MediaState): void;
  /** A watchdog ran out: the runner records why and has the worker killed. */
  expired(reason: string): void;
  exited(session: WorkerSession, exit: WorkerExit, reason: string): void;
}

export interface SessionContext {
  zone: ZoneConfig;
  clock: Clock;
  log: Logger;
  hooks: ZoneHooks;
  events: SessionEvents;
  worker: WorkerProcess;
  /** cold: spawned for this zone; spare: a warm spare adopted, already linked. */
  via: 'cold' | 'spare';
  spawnedAt: number;
  link?: WorkerLink;
}

/**
 * One worker of a zone from its spawn (or adoption) to its exit: its link and the requests waiting on
 * it, its watchdogs, the mpv it last reported, the reason it was killed for. All of it is released
 * when the process exits; what follows is the runner's decision.
 */
export class WorkerSession {
  private reported: MpvInstanceInfo[] = [];
  private link: WorkerLink | null;
  private readonly pending = new PendingRequests();
  private readonly watchdogs: Watchdogs;
  private killReason: string | null = null;
  /** A stop or halt was asked: the worker closing its connection is then part of it, not a fault. */
  private ending = false;
  private linkLossTimer: unknown = null;
  private onSilenced: () => void = () => undefined;
  /** Resolves when the worker, stopping, reports its mpv paused and muted (see the `silenced` message); it may never. */
  readonly silenced = new Promise<void>((resolve) => (this.onSilenced = resolve));

  constructor(private readonly ctx: SessionContext) {
    this.link = ctx.link ?? null;
    this.watchdogs = new Watchdogs({
      clock: ctx.clock,
      policy: ctx.zone.restart,
      expire: (reason) => ctx.events.expired(reason),
    });
    if (this.link) this.watchLink(this.link);
  }

  get pid(): number {
    return this.ctx.worker.pid;
  }

  get via(): 'cold' | 'spare' {
    return this.ctx.via;
  }

  get spawnedAt(): number {
    return this.ctx.spawnedAt;
  }

  /** The mpv as the worker last reported them. */
  get mpv(): MpvInstanceInfo[] {
    return this.reported;
  }

  get linked(): boolean {
    return this.link !== null;
  }

  get liveMpv(): Array<{ pid: number; role: string }> {
    return this.reported.flatMap((m) => (m.pid !== null && m.alive ? [{ pid: m.pid, role: m.role }] : []));
  }

  start(): void {
    const { worker, via, log } = this.ctx;
    this.recordWorker('spawned');
    log.info(via === 'spare' ? 'adopting warm spare' : 'worker spawned', { pid: worker.pid });
    this.watchdogs.armStartup(via);
    void worker.exited.then((exit) => this.onExit(exit));
  }

  /**
   * The hello of the worker we spawned: its pid and this spawn's token. One link per worker: once
   * linked (an adopted spare is from the start), any further hello naming it is refused.
   */
  attach(link: WorkerLink, pid: number, token: string): ((msg: WorkerToSupervisor) => void) | null {
    if (this.link || pid !== this.pid || !tokenMatches(this.ctx.worker.token, token)) return null;
    this.link = link;
    this.watchLink(link);
    return (msg) => this.onMessage(msg);
  }

  /**
   * A worker without its connection can neither be asked nor report, whether the socket broke or a write
   * overflowed: that is a crash, so the worker is killed and the restart policy (any restart type but
   * temporary) brings the zone back.
   */
  private watchLink(link: WorkerLink): void {
    void link.closed.then(() => {
      if (this.link !== link || this.ending) return;
      this.link = null;
      // A worker that is dying closes its socket first: its own exit, if it comes now, says why.
      this.linkLossTimer = this.ctx.clock.setTimeout(() => {
        if (!this.ending) this.kill('worker connection lost');
      }, LINK_LOSS_GRACE_MS);
    });
  }

  /**
   * A spare becomes this zone: its zone config as a worker of the zone gets it (on the sink mpvisor made
   * for the zone, if any), heartbeat interval and what to resume.
   */
  adopt(zone: ZoneConfig, heartbeatIntervalMs: number, resume: WorkerResume | undefined): void {
    this.link?.send({
      type: 'adopt',
      zone,
      heartbeat_interval_ms: heartbeatIntervalMs,
      ...(resume ? { resume } : {}),
    });
  }

  onMessage(msg: WorkerToSupervisor): void {
    const { log, hooks, events, zone } = this.ctx;
    switch (msg.type) {
      case 'ready':
        this.watchdogs.ready();
        this.reported = msg.mpv;
        log.info(this.via === 'spare' ? 'zone ready (adopted warm spare)' : 'zone ready', {
          pid: this.pid,
          mpv: msg.mpv.map((m) => `${m.role}:${m.pid}`).join(','),
        });
        if (this.via === 'spare') {
          // The spare's mpv were recorded as the spare's; they are this zone's now.
          for (const m of msg.mpv) {
            if (m.pid !== null)
              hooks.process?.(zone.name, {
                action: 'spawned',
                role: m.role,
                instance: m.instance,
                pid: m.pid,
                worker_pid: this.pid,
              });
          }
        }
        events.ready(this);
        break;
      case 'heartbeat': {
        this.watchdogs.beat();
        // Heartbeats arrive every second; only a real change is worth a retained publish.
        const changed = JSON.stringify(msg.mpv) !== JSON.stringify(this.reported);
        this.reported = msg.mpv;
        events.heartbeat(msg.healthy, changed, {
          position_s: msg.background_position_s,
          duration_s: msg.background_duration_s,
        });
        break;
      }
      case 'state':
        events.state(msg.media);
        break;
      case 'silenced':
        this.onSilenced();
        break;
      case 'event':
        hooks.mediaEvent(zone.name, msg.event);
        break;
      case 'warning':
        log.warn(msg.message, { role: 'worker' });
        hooks.warning(zone.name, msg.message);
        break;
      case 'log':
        log[msg.level](msg.message, { ...msg.fields });
        break;
      case 'response':
        this.pending.settle(msg.reply_to, {
          outcome: msg.outcome,
          message: msg.message,
          error_type: msg.error_type ?? null,
          result: msg.result,
          ...(msg.warning_type ? { warning_type: msg.warning_type } : {}),
        });
        break;
      case 'process':
        hooks.process?.(zone.name, {
          action: msg.action,
          role: msg.role,
          instance: msg.instance,
          pid: msg.pid,
          worker_pid: this.pid,
        });
        break;
      case 'hello':
        break;
    }
  }

  /** Only once linked; the caller bounds the wait. Beyond the zone's request limits: `busy` at once. */
  request(
    command: string,
    args: Record<string, unknown>,
    id: string | null,
    timeoutMs: number,
  ): Promise<HandlerResult> {
    return this.pending.open(timeoutMs, (reqId, remainingMs) => {
      this.link?.send({ type: 'request', req_id: reqId, command, args, id, timeout_ms: remainingMs });
    });
  }

  /** Kill for a health reason; the exit then carries that reason. */
  kill(reason: string): void {
    this.ctx.log.warn(`killing worker: ${reason}`, { pid: this.pid });
    this.killReason = reason;
    this.ctx.worker.killGroup('SIGKILL');
  }

  /**
   * A reset's hand-over, once this worker has reported its mpv silent: its process group is SIGKILLed
   * rather than left to quit them and exit by itself, which costs tens of ms of CPU (each mpv's teardown,
   * Node's exit) just when the adopted spare starts the music on a busy machine. Nothing is lost: the
   * zone's media was saved before the halt, and a halt kills the group in the end anyway.
   */
  cut(): void {
    this.ctx.worker.killGroup('SIGKILL');
  }

  /** Graceful stop bounded by stop_timeout_ms (see stopWorker): true when no SIGKILL was needed. */
  stop(reason: string): Promise<boolean> {
    this.ending = true;
    this.watchdogs.disarm();
    return stopWorker(this.ctx.worker, this.sender(), {
      reason,
      timeoutMs: this.ctx.zone.restart.stop_timeout_ms,
      log: this.ctx.log,
    });
  }

  halt(o: { graceful: boolean; boundMs?: number }): Promise<void> {
    this.ending = true;
    this.watchdogs.disarm();
    return haltWorker(this.ctx.worker, this.sender(), o);
  }

  private sender(): ((msg: SupervisorToWorker) => boolean) | null {
    const link = this.link;
    return link ? (msg) => link.send(msg) : null;
  }

  /** The ownership ledger hears of the worker process itself. */
  private recordWorker(action: 'spawned' | 'exited'): void {
    const { worker, hooks, zone } = this.ctx;
    if (worker.pid > 0)
      hooks.process?.(zone.name, { action, role: 'worker', instance: 'worker', pid: worker.pid, worker_pid: null });
  }

  private onExit(exit: WorkerExit): void {
    const { worker, events } = this.ctx;
    this.recordWorker('exited');
    this.watchdogs.disarm();
    this.ctx.clock.clearTimeout(this.linkLossTimer);
    // The worker leads its group: take down any mpv it could not stop itself.
    worker.killGroup('SIGKILL');
    const reason = exitReason(exit, this.killReason);
    this.link?.close();
    this.link = null;
    this.reported = [];
    this.pending.failAll('zone_unavailable', `worker exited: ${reason}`);
    events.exited(this, exit, reason);
  }
}
