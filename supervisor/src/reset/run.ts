import { wantsOwnSink, type ZoneConfig } from '@mpvisor/config';
import { findOrphans, killOrphans } from '@mpvisor/ledger';
import type { Logger } from '@mpvisor/log';
import type { HandlerResult, WorkerResume } from '@mpvisor/protocol';
import type { CombinedSinks } from '../audio/combined-sinks.js';
import type { Ownership } from '../commands/cleanup-handlers.js';
import { waitForSpeech } from '../service/shutdown-steps.js';
import type { ZoneRegistry } from '../zone-registry.js';
import type { ZoneRunner } from '../zones/zone-runner.js';
import { preserveMedia } from './preserve.js';
import { confirmGone, lateMpvOf, mpvOf, untilGone } from './processes.js';
import { emptyProgress, type ResetPhase, type ResetProgress, type ResetRequest, type ResetStatus } from './types.js';
import { errorMessage } from '@mpvisor/sys';

export interface ResetDeps {
  zones: ZoneRegistry;
  ownership: () => Ownership | null;
  sinks: () => CombinedSinks | null;
  zoneConfig: (zone: string) => ZoneConfig | undefined;
  /** A zone's own sink (combine, isolated) was made again or could not be: the device its next worker plays to. */
  setAudioDevice: (zone: string, device: string | null) => void;
  /** Publishes a status on `{system topic}/events`. */
  publish: (status: ResetStatus) => void;
  lifecycle: (zone: string, event: string, detail: Record<string, unknown>) => void;
  log: Logger;
}

export interface ResetContext {
  id: string | null;
  /** Also told every status (the CLI's control connection streams them). */
  progress?: ((status: ResetStatus) => void) | undefined;
}

const ZONE_WORK = new Set(['full', 'audio', 'restart']);
/** How long a soft reset lets a worker quit by itself before its process group is SIGKILLed. */
const GRACEFUL_HALT_MS = 300;
const live = (r: ZoneRunner) => r.state === 'ready' || r.state === 'degraded';

/** One reset from its first phase to its last. The coordinator makes sure only one runs at a time. */
export class ResetRun {
  readonly progress: ResetProgress = emptyProgress();
  readonly errors: string[] = [];
  private readonly warnings: string[] = [];
  private readonly started = performance.now();
  private readonly abort = new AbortController();
  private finished = false;
  private readonly detail: Record<string, unknown> = {};

  constructor(
    readonly req: ResetRequest,
    private readonly ctx: ResetContext,
    private readonly deps: ResetDeps,
  ) {}

  get elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }

  private remainingMs(): number {
    return Math.max(0, this.req.timeoutMs - (performance.now() - this.started));
  }

  emit(phase: ResetPhase, extraErrors: string[] = []): void {
    if (this.finished) return;
    if (phase === 'complete' || phase === 'failed') this.finished = true;
    const status: ResetStatus = {
      timestamp: new Date().toISOString(),
      type: 'system_reset_status',
      id: this.ctx.id,
      phase,
      progress: { ...this.progress },
      errors: [...this.errors, ...extraErrors],
      duration_ms: this.elapsedMs,
    };
    this.deps.publish(status);
    this.ctx.progress?.(status);
  }

  private runners(): ZoneRunner[] {
    const all = this.deps.zones.all();
    return this.req.zones === null ? all : all.filter((r) => this.req.zones!.includes(r.name));
  }

  /** The overall bound passed: report failed now; the steps still running stop waiting. */
  timedOut(): HandlerResult {
    const message = `${this.req.command} did not finish within ${Math.round(this.req.timeoutMs / 1000)} s`;
    this.abort.abort();
    this.emit('failed', [message]);
    return { outcome: 'failed', error_type: 'timeout', message, result: this.result() };
  }

  async execute(): Promise<HandlerResult> {
    const { req, deps } = this;
    const runners = this.runners();
    this.detail.zones = runners.map((r) => r.name);
    this.emit('starting');
    this.emit('cleanup');
    const resumes = ZONE_WORK.has(req.kind) ? await this.stopZones(runners) : new Map<string, WorkerResume>();
    if (req.kind === 'full' || req.kind === 'orphans') await this.cleanOrphans();
    if ((req.kind === 'full' && req.scope === 'system') || req.kind === 'sockets') await this.cleanSockets();
    if (ZONE_WORK.has(req.kind)) await this.unloadSinks(runners);
    // Even past the timeout (nothing more is published then), halted zones are started again.
    this.emit('reinit');
    if (ZONE_WORK.has(req.kind)) await this.startZones(runners, resumes);
    const ok = this.errors.length === 0;
    this.emit(ok ? 'complete' : 'failed');
    deps.log[ok ? 'info' : 'warn'](`${req.command} ${ok ? 'complete' : 'failed'}`, {
      kind: req.kind,
      level: req.level,
      zones: runners.map((r) => r.name).join(','),
      ...this.progress,
      duration_ms: this.elapsedMs,
      errors: this.errors.join('; ') || undefined,
    });
    const what = `${req.kind === 'restart' ? 'restart' : `${req.kind} reset`} of ${runners.length === 1 ? `zone ${runners[0]!.name}` : `${runners.length} zones`}`;
    if (!ok) {
      const unavailable = runners.some((r) => !live(r));
      return {
        outcome: 'failed',
        error_type: unavailable ? 'zone_unavailable' : 'internal',
        message: `${what} failed: ${this.errors.join('; ')}`,
        result: this.result(),
      };
    }
    const p = this.progress;
    const summary = `killed ${p.mpv_processes_killed} mpv, cleaned ${p.sockets_cleaned} sockets, unloaded ${p.sinks_unloaded} sinks, reinitialized ${p.devices_reinitialized} zones`;
    return {
      outcome: this.warnings.length ? 'warning' : 'success',
      message: `${what} complete: ${summary}${this.warnings.length ? `; ${this.warnings.join('; ')}` : ''}`,
      result: this.result(),
    };
  }

  result(): Record<string, unknown> {
    const { req } = this;
    return {
      type: req.kind,
      command: req.command,
      level: req.level,
      force: req.force,
      preserve_state: req.preserveState,
      progress: { ...this.progress },
      errors: [...this.errors],
      warnings: [...this.warnings],
      ...this.detail,
      duration_ms: this.elapsedMs,
    };
  }

  /** Drain (soft), snapshot (preserve_state), then take each worker and its mpv down; counts what died. */
  private async stopZones(runners: ZoneRunner[]): Promise<Map<string, WorkerResume>> {
    const { req, deps } = this;
    const soft = req.level === 'soft' && req.kind !== 'restart';
    if (soft && !req.force) {
      // Speech may finish, for at most half the overall bound (the rest is for bringing zones back).
      const cut = await waitForSpeech(runners.filter(live), Math.floor(req.timeoutMs / 2), this.abort.signal);
      if (cut.length > 0) {
        this.detail.speech_cut = cut;
        this.warnings.push(`speech cut short in ${cut.join(', ')}`);
      }
    }
    const resumes = req.preserveState ? await preserveMedia(runners) : new Map<string, WorkerResume>();
    if (req.preserveState) this.detail.preserved = Object.fromEntries(resumes);
    const victims = mpvOf(runners, deps.ownership()?.ledger ?? null);
    for (const r of runners)
      deps.lifecycle(r.name, 'reset', {
        command: req.command,
        kind: req.kind,
        level: req.level,
        preserve_state: req.preserveState,
        previous_state: r.state,
      });
    // After the drain and the snapshot nothing is lost by a kill: a worker slow to quit (its mpv quitting
    // one by one on a busy machine) is not waited for long, since the zone is silent meanwhile.
    const halt = {
      graceful: req.level === 'soft',
      boundMs: Math.min(GRACEFUL_HALT_MS, Math.max(100, this.remainingMs())),
    };
    await Promise.all(
      runners.map(async (r) => {
        const own = victims.filter((v) => v.zone === r.name);
        const handed =
          this.keepsDevice(r) && (await r.handOver(halt, resumes.get(r.name), (stop) => untilGone(own, stop)));
        if (!handed) await r.halt(halt);
      }),
    );
    const late = lateMpvOf(runners, deps.ownership()?.ledger ?? null, victims);
    const { gone, survivors } = await confirmGone([...victims, ...late], 2000);
    this.progress.mpv_processes_killed += gone.length;
    this.detail.mpv_killed = gone.map((v) => ({ pid: v.pid, zone: v.zone }));
    for (const s of survivors) this.errors.push(`mpv ${s.pid} of zone ${s.zone} survived SIGKILL`);
    return resumes;
  }

  /**
   * A zone whose next worker plays to the same device as its last: a warm spare may take over while the
   * old worker is still exiting (ZoneRunner.handOver). An audio reset wants mpv that open the audio
   * server afresh, and a sink rebuilt in between (rebuildsSink) is not the same device.
   */
  private keepsDevice(r: ZoneRunner): boolean {
    const cfg = this.deps.zoneConfig(r.name);
    return this.req.kind !== 'audio' && cfg !== undefined && !this.rebuildsSink(cfg);
  }

  /**
   * Whether this reset unloads the zone's own sink and makes it again: an audio reset always; any other
   * only a combined zone's combine sink (its rate control is what goes wrong in one). An isolated zone's
   * null sink has nothing to go wrong and keeps its device across the reset, so a warm spare can take the
   * zone over while the old worker quits; its bridge is the sink keeper's business.
   */
  private rebuildsSink(cfg: ZoneConfig): boolean {
    return wantsOwnSink(cfg) && (this.req.kind === 'audio' || cfg.kind === 'combined-audio');
  }

  /** mpv of ours whose worker is gone; a zone-topic or zone-list reset only touches its zones' entries. */
  private async cleanOrphans(): Promise<void> {
    const ownership = this.deps.ownership();
    if (!ownership) return;
    const zones = this.req.zones;
    const candidates = findOrphans(ownership.ledger).filter(
      (c) => zones === null || (c.entry.zone !== null && zones.includes(c.entry.zone)),
    );
    const report = await killOrphans(ownership.ledger, candidates);
    // The ledger persists every change by itself; waiting for the disk only matters when this killed
    // something (and it would hold up the zones' restart behind the writes of the halted mpv's exits).
    if (report.killed.length > 0) await ownership.ledger.flush();
    this.progress.mpv_processes_killed += report.killed.length;
    this.detail.orphans_killed = report.killed.map((k) => ({ pid: k.pid, zone: k.zone, instance: k.instance }));
    for (const s of report.skipped) if (s.reason !== 'not running') this.warnings.push(`orphan ${s.pid}: ${s.reason}`);
  }

  private async cleanSockets(): Promise<void> {
    const ownership = this.deps.ownership();
    if (!ownership) return;
    const r = await ownership.resetSockets();
    this.progress.sockets_cleaned += r.sockets_cleaned;
    this.detail.sockets_removed = r.removed;
    this.detail.sockets_kept_live = r.kept_live;
  }

  private async unloadSinks(runners: ZoneRunner[]): Promise<void> {
    const sinks = this.deps.sinks();
    const combined = runners.filter((r) => {
      const cfg = this.deps.zoneConfig(r.name);
      return cfg !== undefined && this.rebuildsSink(cfg);
    });
    if (!sinks || combined.length === 0) return;
    await sinks.refresh();
    try {
      const report = await sinks.unload(combined.map((r) => r.name));
      this.progress.sinks_unloaded += report.unloaded.length;
      this.detail.sinks_unloaded = report.unloaded.map((u) => u.name);
      this.warnings.push(...report.errors);
    } catch (err) {
      this.errors.push(`unloading sinks: ${errorMessage(err)}`);
    }
  }

  /** Sinks back first (a worker must find its device), then every worker, then wait for ready. */
  private async startZones(runners: ZoneRunner[], resumes: Map<string, WorkerResume>): Promise<void> {
    const { deps } = this;
    const sinks = deps.sinks();
    const created: string[] = [];
    for (const r of runners) {
      const cfg = deps.zoneConfig(r.name);
      if (!sinks || !cfg || !this.rebuildsSink(cfg)) continue;
      const plan = await sinks.create(cfg);
      deps.setAudioDevice(r.name, plan.device);
      if (plan.device) created.push(plan.device);
      if (plan.warning) this.warnings.push(plan.warning);
    }
    if (created.length) this.detail.sinks_created = created;
    // An audio reset wants mpv that open the audio server afresh: a spare's were opened before the reset.
    for (const r of runners) r.relaunch(resumes.get(r.name), { spare: this.req.kind !== 'audio' });
    await Promise.all(runners.map((r) => settledWithin(r, this.remainingMs(), this.abort.signal)));
    const fresh: Record<string, number[]> = {};
    for (const r of runners) {
      if (live(r)) {
        this.progress.devices_reinitialized++;
        fresh[r.name] = r.mpvPids;
      } else this.errors.push(`zone ${r.name} is ${r.state} after the reset`);
    }
    this.detail.mpv_started = fresh;
  }
}

function settledWithin(r: ZoneRunner, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void r.settled().then(done);
  });
}
