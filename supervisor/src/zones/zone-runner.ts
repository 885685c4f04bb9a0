import type { ZoneConfig } from '@mpvisor/config';
import type {
  HandlerResult,
  MediaState,
  WorkerResume,
  WorkerToSupervisor,
  ZoneLifecycle,
  ZoneState,
} from '@mpvisor/protocol';
import { CrashRecovery } from './crash-recovery.js';
import { Lifecycle } from './lifecycle.js';
import { untilSilent } from './hand-over.js';
import { MediaMemory } from './media-memory.js';
import type { WorkerLink, ZoneRunnerContext } from './runner-context.js';
import { stopWorker } from './stop-worker.js';
import { spawnWorker, type WorkerExit, type WorkerProcess } from './worker-process.js';
import { WorkerSession, type BackgroundSample, type SessionContext } from './worker-session.js';
import { freshFacts, noteError, zoneSnapshot } from './zone-snapshot.js';

/**
 * The one owner of a zone's lifecycle: starts its worker (spawned, or a warm spare adopted), turns the
 * worker's reports and its exit into lifecycle states, and after a crash does what the pure restart
 * policy decided. Each worker's own affairs (link, requests, watchdogs) are its WorkerSession.
 */
export class ZoneRunner {
  private readonly lifecycle = new Lifecycle(() => this.ctx.hooks.stateChanged(this.name));
  private session: WorkerSession | null = null;
  private readonly facts = freshFacts();
  private readonly recovery: CrashRecovery;
  private stopping = false;
  private halting = false;
  /** stop() was called and no start() since: a reset still under way must not bring the zone back. */
  private closed = false;
  /** A reset's hand-over in progress; stop() lets it end first (bounded by the halt's own bound). */
  private handingOver: Promise<boolean> | null = null;
  /** The next worker resumes: `initial`, the bootstrap's own; after a crash, what the dead worker last reported; after a restart or reset command, what it asked (often nothing). */
  private nextResume: WorkerResume | undefined | 'initial' = 'initial';
  /** Frees this zone's place in the start gate: at ready, at the worker's exit, or when a stop or reset overtakes the start. */
  private leaveGate: (() => void) | null = null;

  private readonly media: MediaMemory;

  constructor(private readonly ctx: ZoneRunnerContext) {
    this.media = new MediaMemory(this.facts, ctx.clock);
    this.recovery = new CrashRecovery({
      ...ctx,
      facts: this.facts,
      setLifecycle: (state) => this.lifecycle.set(state),
      spawn: () => this.spawn(),
      adoptSpare: () => this.adoptSpare(),
      ...(ctx.autoReset ? { viaCoordinator: (reason: string) => ctx.autoReset!(ctx.zone.name, reason) } : {}),
    });
  }

  get name(): string {
    return this.ctx.zone.name;
  }

  get pid(): number | null {
    return this.session?.pid ?? null;
  }

  get state(): ZoneLifecycle {
    return this.lifecycle.value;
  }

  get mpvPids(): number[] {
    return (this.session?.liveMpv ?? []).map((m) => m.pid);
  }

  get policy(): ZoneConfig['restart'] {
    return this.ctx.zone.restart;
  }

  start(): void {
    this.closed = false;
    this.stopping = false;
    const gate = this.ctx.startGate;
    if (!gate) {
      this.spawn();
      return;
    }
    this.lifecycle.set('starting');
    this.leaveGate = gate.enter(() => this.spawn());
  }

  private leftGate(): void {
    this.leaveGate?.();
    this.leaveGate = null;
  }

  /** Resolves once the zone is ready, failed or stopped; the bound is the caller's. */
  settled(): Promise<void> {
    return this.lifecycle.settled();
  }

  private spawn(): void {
    const spawnedAt = this.beginWorker();
    const bootstrap =
      this.nextResume === 'initial' ? this.ctx.bootstrap : { ...this.ctx.bootstrap, resume: this.nextResume };
    this.media.handed(bootstrap.resume);
    const worker = (this.ctx.spawnWorker ?? spawnWorker)({
      bootstrap,
      entry: this.ctx.workerEntry,
      onOutputLine: (stream, line) => this.ctx.log.warn(line, { role: 'worker', stream }),
    });
    this.session = new WorkerSession(this.sessionContext(worker, 'cold', spawnedAt));
    this.session.start();
  }

  /**
   * Take over a ready warm spare instead of spawning: it already runs its mpv, so `adopt` is all it
   * needs; from then on it is this zone's worker like one it spawned. False: no spare fits.
   */
  private adoptSpare(spare = this.ctx.spares?.take(this.ctx.zone)): boolean {
    if (!spare) return false;
    const spawnedAt = this.beginWorker();
    const resume = this.nextResume === 'initial' ? this.ctx.bootstrap.resume : this.nextResume;
    this.media.handed(resume);
    const session = new WorkerSession({ ...this.sessionContext(spare.worker, 'spare', spawnedAt), link: spare.link });
    this.session = session;
    spare.route((msg) => session.onMessage(msg));
    session.start();
    session.adopt(this.ctx.bootstrap.zone, this.ctx.bootstrap.heartbeatIntervalMs, resume);
    return true;
  }

  /** A new worker's start, cold or adopted: returns when it began, for its startup time. */
  private beginWorker(): number {
    const spawnedAt = this.ctx.clock.now();
    this.facts.nextRestartAt = null;
    this.facts.readyAt = null;
    this.lifecycle.set(this.recovery.restarts > 0 ? 'restarting' : 'starting');
    return spawnedAt;
  }

  private sessionContext(worker: WorkerProcess, via: 'cold' | 'spare', spawnedAt: number): SessionContext {
    const { zone, clock, log, hooks } = this.ctx;
    // A worker handed over in a reset may still report while it exits: only the current one's reports count.
    const current = () => this.session?.pid === worker.pid;
    const events: SessionContext['events'] = {
      ready: (s) => this.onReady(s),
      heartbeat: (healthy, mpvChanged, background) => {
        if (current()) this.onHeartbeat(healthy, mpvChanged, background);
      },
      state: (media) => {
        if (current()) this.onState(media);
      },
      expired: (reason) => this.fail(reason),
      exited: (s, exit, reason) => this.onExit(s, exit, reason),
    };
    return { zone, clock, log, hooks, events, worker, via, spawnedAt };
  }

  /** Kill the current worker for a health reason; its exit then goes through the restart policy. */
  private fail(reason: string): void {
    if (!this.session) return;
    noteError(this.facts, reason);
    this.session.kill(reason);
  }

  /** A worker's hello: where its messages go, or null to refuse it (see WorkerSession.attach). */
  attach(link: WorkerLink, pid: number, token: string): ((msg: WorkerToSupervisor) => void) | null {
    return this.session?.attach(link, pid, token) ?? null;
  }

  private onReady(s: WorkerSession): void {
    this.leftGate();
    const readyAt = this.ctx.clock.now();
    const restarts = this.recovery.restarts;
    this.facts.readyAt = readyAt;
    this.lifecycle.set('ready');
    this.ctx.hooks.lifecycle(this.name, restarts > 0 ? 'restarted' : 'started', {
      pid: s.pid,
      restarts,
      startup_ms: Math.round(readyAt - s.spawnedAt),
      ...(restarts > 0 || s.via === 'spare' ? { via: s.via } : {}),
    });
  }

  private onHeartbeat(healthy: boolean, mpvChanged: boolean, background: BackgroundSample): void {
    this.media.beat(background);
    if (this.facts.readyAt !== null) this.lifecycle.set(healthy ? 'ready' : 'degraded');
    if (mpvChanged) this.ctx.hooks.stateChanged(this.name);
  }

  private onState(media: MediaState): void {
    this.media.report(media);
    this.ctx.hooks.stateChanged(this.name);
  }

  private onExit(s: WorkerSession, exit: WorkerExit, reason: string): void {
    if (s !== this.session) return;
    this.leftGate();
    const uptimeMs = this.facts.readyAt === null ? 0 : this.ctx.clock.now() - this.facts.readyAt;
    this.facts.lastExit = { code: exit.code, signal: exit.signal, reason, at: new Date().toISOString() };
    this.session = null;
    if (this.stopping) {
      this.lifecycle.set(this.halting ? 'restarting' : 'stopped');
      return;
    }
    this.nextResume = this.media.afterCrash();
    this.recovery.afterCrash(exit, reason, uptimeMs);
  }

  /** Send a command to the worker and await its response; the dispatcher bounds the wait. */
  request(
    command: string,
    args: Record<string, unknown>,
    id: string | null,
    timeoutMs: number,
  ): Promise<HandlerResult> {
    if (!this.session?.linked || !this.lifecycle.live) {
      return Promise.resolve({
        outcome: 'failed',
        message: `zone ${this.name} is ${this.lifecycle.value}`,
        error_type: 'zone_unavailable',
      });
    }
    return this.session.request(command, args, id, timeoutMs);
  }

  /**
   * Restart by command: a clean slate for the policy, the old worker killed at once. `resume` (a reset
   * with preserve_state) is what the next worker replays; without it the zone starts from scratch.
   */
  async restart(reason: string, resume?: WorkerResume): Promise<void> {
    this.ctx.log.info('restart requested', { reason });
    this.ctx.hooks.lifecycle(this.name, 'restart_requested', { reason, previous_state: this.lifecycle.value });
    await this.halt({ graceful: false });
    this.relaunch(resume);
  }

  /**
   * First half of a reset: the worker and its whole process group gone, no restart timer, the zone
   * `restarting` until relaunch(). Graceful: shutdown message and stdin EOF, SIGKILL of the group after
   * boundMs; otherwise SIGKILL at once. Resolves once the worker has exited.
   */
  async halt(o: { graceful: boolean; boundMs?: number }): Promise<void> {
    this.leftGate();
    this.recovery.cancel();
    this.facts.nextRestartAt = null;
    const session = this.session;
    if (!session) return;
    this.stopping = true;
    this.halting = true;
    try {
      await session.halt(o);
    } finally {
      this.stopping = false;
      this.halting = false;
    }
  }

  /**
   * A reset's halt and relaunch in one, when a ready warm spare fits: the worker is halted as by halt(),
   * and the spare takes over (replaying `resume`) as soon as the old worker is silent, so the two never
   * play at once: when it reports its mpv paused and muted (a graceful halt), when `silenced` resolves
   * (the caller makes that the moment the old mpv are gone), or when it has exited, whichever comes
   * first. Meanwhile the spare preloads the background paused (`preload`), so the music comes back
   * with an unpause once it has the zone. The rest of the old worker's teardown (its mpv exiting take
   * ~65 ms after they fall silent, a Node process 50-70 ms more on a busy 2-core machine) no longer
   * holds the music back, and after its report it is cut short (SIGKILL of its group) so as not to
   * compete with the spare for the CPU. The spare taken is always adopted: the race ends at the latest
   * when the old worker has exited (halt's SIGKILL bound); a stop() meanwhile waits for that end and
   * the spare is then stopped, not adopted. Resolves once the old worker has exited; false (nothing
   * done) when no worker runs, the zone is stopped or no spare fits.
   */
  handOver(
    o: { graceful: boolean; boundMs?: number },
    resume: WorkerResume | undefined,
    silenced: (stop: AbortSignal) => Promise<void>,
  ): Promise<boolean> {
    const handing = this.handOverOnce(o, resume, silenced);
    this.handingOver = handing;
    void handing.finally(() => {
      if (this.handingOver === handing) this.handingOver = null;
    });
    return handing;
  }

  private async handOverOnce(
    o: { graceful: boolean; boundMs?: number },
    resume: WorkerResume | undefined,
    silenced: (stop: AbortSignal) => Promise<void>,
  ): Promise<boolean> {
    const old = this.session;
    if (!old || this.closed) return false;
    const spare = this.ctx.spares?.take(this.ctx.zone);
    if (!spare) return false;
    // While the old worker quits, the spare loads the music paused where it resumes: adopting the zone
    // then takes an unpause, not a file load (workers/src/preload.ts). The zone as its worker sees it: on the
    // sink mpvisor made for it (an isolated or combined zone's), not on the device that sink plays to.
    if (resume?.background) spare.link.send({ type: 'preload', zone: this.ctx.bootstrap.zone, resume });
    this.recovery.cancel();
    this.facts.nextRestartAt = null;
    this.stopping = true;
    this.halting = true;
    const halted = old.halt(o);
    const { after, waitMs } = await untilSilent(old, halted, silenced, this.ctx.clock);
    this.ctx.log.info('reset hand-over: the warm spare takes the zone', {
      after,
      wait_ms: waitMs,
      old_pid: old.pid,
      pid: spare.worker.pid,
    });
    // From here the old worker's exit is not this zone's any more (onExit ignores a session not current).
    this.session = null;
    if (this.closed) {
      // The supervisor stopped during the hand-over: the spare ends instead of taking the zone.
      await Promise.all([
        stopWorker(spare.worker, (m) => spare.link.send(m), {
          reason: 'supervisor stopping',
          timeoutMs: this.policy.stop_timeout_ms,
          log: this.ctx.log,
        }),
        halted,
      ]);
      return true;
    }
    this.recovery.cleanSlate();
    this.nextResume = resume;
    this.stopping = false;
    this.halting = false;
    this.adoptSpare(spare);
    await halted;
    return true;
  }

  /**
   * Second half of a reset: a new worker with a clean restart record, replaying `resume` if given; a
   * ready warm spare when one fits and `spare` allows it (as after a crash), else a cold spawn.
   */
  relaunch(resume?: WorkerResume, o: { spare: boolean } = { spare: true }): void {
    this.leftGate();
    this.recovery.cancel();
    if (this.session || this.closed) return;
    this.recovery.cleanSlate();
    this.nextResume = resume;
    this.stopping = false;
    if (!o.spare || !this.adoptSpare()) this.spawn();
  }

  /**
   * Graceful stop bounded by stop_timeout_ms: ask (shutdown message, stdin EOF), SIGTERM the group
   * after min(1 s, half the bound), SIGKILL at the bound. Resolves true when no SIGKILL was needed. A
   * reset under way does not bring the zone back afterwards (its relaunch starts nothing until start()).
   */
  async stop(reason: string): Promise<boolean> {
    this.closed = true;
    await this.handingOver;
    this.stopping = true;
    this.leftGate();
    this.recovery.cancel();
    const session = this.session;
    const clean = session ? await session.stop(reason) : true;
    this.lifecycle.set('stopped');
    return clean;
  }

  /**
   * A reload changed only what a running zone takes without a restart (volume, resource limits): the
   * resource watch reads the new limits, the next worker gets the new configuration; the audio device
   * stays the one its bootstrap has (a sink mpvisor made for the zone).
   */
  reconfigure(zone: ZoneConfig): void {
    const device = this.ctx.bootstrap.zone.audio_device;
    this.ctx.zone = zone;
    this.ctx.bootstrap.zone = device === undefined ? zone : { ...zone, audio_device: device };
  }

  setResources(usage: ZoneState['resources']): void {
    this.facts.resources = usage;
  }

  /** A resource limit held for long enough: always a warning; a restart (through the policy) if asked. */
  resourceLimit(message: string): void {
    noteError(this.facts, message);
    this.ctx.hooks.warning(this.name, message);
    if (this.ctx.zone.restart.restart_on_resource_limit && this.lifecycle.live) {
      this.fail(`${message}; restart_on_resource_limit`);
    } else {
      this.ctx.hooks.stateChanged(this.name);
    }
  }

  /** ParadoxFX's lastCommand; the state is re-published (coalesced per tick) as ParadoxFX does after a command. */
  noteCommand(command: string): void {
    this.facts.lastCommand = command;
    this.ctx.hooks.stateChanged(this.name);
  }

  snapshot(): ZoneState {
    return zoneSnapshot(this.ctx.zone, this.facts, {
      state: this.lifecycle.value,
      pid: this.pid,
      restarts: this.recovery.restarts,
      mpv: this.session?.mpv ?? [],
      now: this.ctx.clock.now(),
    });
  }

  /** The worker and its live mpv, with roles, for the resource watch. */
  processes(): Array<{ pid: number; role: string }> {
    if (!this.session) return [];
    return [
      { pid: this.session.pid, role: 'worker' },
      ...this.session.liveMpv.map((m) => ({ pid: m.pid, role: `mpv:${m.role}` })),
    ];
  }
}
