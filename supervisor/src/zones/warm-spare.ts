import type { ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { MpvInstanceInfo, WorkerToSupervisor } from '@mpvisor/protocol';
import { isLiveState, readStat } from '@mpvisor/sys';
import type { Clock } from '../clock.js';
import type { ProcessReport, WorkerLink } from './runner-context.js';
import type { SpareKind } from './spare-kinds.js';
import type { WorkerProcess } from './worker-process.js';

/** A ready spare handed to a zone: the process, its link, and where its messages go from now on. */
export interface SpareWorker {
  worker: WorkerProcess;
  link: WorkerLink;
  route(onMessage: (msg: WorkerToSupervisor) => void): void;
}

/** What a ZoneRunner needs of the pool. */
export interface SpareSource {
  /** A ready spare of this zone's kind, removed from the pool (a replacement follows), or null. */
  take(zone: ZoneConfig): SpareWorker | null;
}

/** A spare as `status` lists it: which kind (`audio`, `screen`, ...) and the zones it can stand in for. */
export interface SpareInfo {
  pid: number;
  state: 'starting' | 'ready';
  kind: string;
  zones: string[];
  uptime_ms: number;
  mpv_pids: number[];
}

export interface WarmSpareOptions {
  clock: Clock;
  log: Logger;
  /** Not ready within this: killed (a failed boot). */
  startupTimeoutMs: number;
  /** Ready, then no heartbeat for this long: hung, killed, never handed out. */
  heartbeatTimeoutMs: number;
  process?: (report: ProcessReport) => void;
  /** The spare reported ready (the pool's failure streak ends). */
  onReady(): void;
}

/**
 * One warm spare from spawn to adoption or exit: its link, the mpv it reported, and its watch. Before
 * ready it has startup_timeout_ms; once ready, its worker heartbeats (probing each idle mpv) and a spare
 * whose heartbeats stop (SIGSTOP, a deadlock) is killed. One whose last heartbeat said an mpv does not
 * answer waits until its worker has restarted that mpv.
 */
export class WarmSpare {
  link: WorkerLink | null = null;
  state: 'starting' | 'ready' = 'starting';
  mpv: MpvInstanceInfo[] = [];
  readonly spawnedAt: number;
  private healthy = true;
  private out = false;
  private startup: unknown;
  private watch: unknown = null;
  /** Once adopted: the zone runner's message handler. */
  private sink: ((msg: WorkerToSupervisor) => void) | null = null;

  constructor(
    readonly kind: SpareKind,
    readonly worker: WorkerProcess,
    private readonly o: WarmSpareOptions,
  ) {
    this.spawnedAt = o.clock.now();
    this.startup = o.clock.setTimeout(() => {
      o.log.warn(`spare not ready within ${o.startupTimeoutMs} ms; killing it`, { pid: worker.pid, kind: kind.label });
      worker.killGroup('SIGKILL');
    }, o.startupTimeoutMs);
  }

  /** Its hello was accepted: where its messages go (to the zone that adopts it, from then on). */
  attach(link: WorkerLink): (msg: WorkerToSupervisor) => void {
    this.link = link;
    return (msg) => (this.sink ? this.sink(msg) : this.onMessage(msg));
  }

  /** Ready, linked, heartbeating and healthy: a zone may have it. */
  get usable(): boolean {
    return this.state === 'ready' && this.link !== null && !this.out && this.healthy;
  }

  /** Killed or being stopped: never handed out, and no longer counted as one of its kind's spares. */
  get withdrawn(): boolean {
    return this.out;
  }

  /** Being stopped (its kind is no longer needed): its timers end, no zone gets it. */
  withdraw(): void {
    this.out = true;
    this.release();
  }

  private onMessage(msg: WorkerToSupervisor): void {
    const { log, clock } = this.o;
    const pid = this.worker.pid;
    switch (msg.type) {
      case 'ready':
        clock.clearTimeout(this.startup);
        this.state = 'ready';
        this.mpv = msg.mpv;
        this.o.onReady();
        this.armWatch();
        log.info('spare ready', {
          pid,
          kind: this.kind.label,
          boot_ms: Math.round(clock.now() - this.spawnedAt),
          mpv: msg.mpv.map((m) => `${m.role}:${m.pid}`).join(','),
        });
        break;
      case 'heartbeat':
        this.mpv = msg.mpv;
        if (this.healthy !== msg.healthy)
          log[msg.healthy ? 'info' : 'warn'](msg.healthy ? 'spare healthy again' : 'spare unhealthy: not handed out', {
            pid,
            problems: msg.problems.join('; ') || undefined,
          });
        this.healthy = msg.healthy;
        if (this.state === 'ready') this.armWatch();
        break;
      case 'process':
        this.o.process?.({
          action: msg.action,
          role: msg.role,
          instance: msg.instance,
          pid: msg.pid,
          worker_pid: pid,
        });
        break;
      case 'warning':
        log.warn(msg.message, { role: 'spare', pid });
        break;
      case 'log':
        log[msg.level](msg.message, { ...msg.fields, role: 'spare', pid });
        break;
      default:
        break;
    }
  }

  private armWatch(): void {
    const { clock, log, heartbeatTimeoutMs } = this.o;
    clock.clearTimeout(this.watch);
    this.watch = clock.setTimeout(() => {
      this.out = true;
      log.warn(`spare sent no heartbeat for ${heartbeatTimeoutMs} ms; killing it`, {
        pid: this.worker.pid,
        kind: this.kind.label,
      });
      this.worker.killGroup('SIGKILL');
    }, heartbeatTimeoutMs);
  }

  /**
   * The last look before a zone gets it, since a heartbeat may be up to a second old: its worker and
   * every mpv it reported must exist and be neither stopped nor a zombie. One that fails is killed.
   */
  runnable(): boolean {
    const pids = [this.worker.pid, ...this.mpv.flatMap((m) => (m.pid !== null ? [m.pid] : []))];
    const stuck = pids.find((pid) => {
      const st = readStat(pid);
      return st === null || !isLiveState(st.state) || st.state === 'T' || st.state === 't';
    });
    if (stuck === undefined) return true;
    this.out = true;
    this.o.log.warn('spare not runnable (a process gone or stopped); killing it', {
      pid: this.worker.pid,
      process: stuck,
    });
    this.worker.killGroup('SIGKILL');
    return false;
  }

  info(zones: readonly string[], now: number): SpareInfo {
    return {
      pid: this.worker.pid,
      state: this.state,
      kind: this.kind.label,
      zones: [...zones],
      uptime_ms: Math.round(now - this.spawnedAt),
      mpv_pids: this.mpv.flatMap((m) => (m.pid !== null && m.alive ? [m.pid] : [])),
    };
  }

  /** To a zone: the pool's watch ends, the zone's session watches it from now on. */
  handOver(): SpareWorker | null {
    const link = this.link;
    if (!link) return null;
    this.release();
    return { worker: this.worker, link, route: (fn) => (this.sink = fn) };
  }

  /** Its timers end (adopted, exited or stopped). */
  release(): void {
    this.o.clock.clearTimeout(this.startup);
    this.o.clock.clearTimeout(this.watch);
  }
}
