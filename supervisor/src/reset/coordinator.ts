import type { HandlerResult } from '@mpvisor/protocol';
import { ResetRun, type ResetContext, type ResetDeps } from './run.js';
import { emptyProgress, type ResetRequest, type ResetStatus } from './types.js';
import { errorMessage } from '@mpvisor/sys';

export interface CoordinatorOptions extends ResetDeps {
  /** Told when a reset begins and ends (the system state shows `resetting` meanwhile). */
  resetting?: (on: boolean) => void;
}

/**
 * Runs resets one at a time. Each goes through the phases starting -> cleanup -> reinit -> complete
 * (or failed), one `system_reset_status` message per phase. A reset asked for while another runs is
 * answered `failed` / `busy` at once. Past its timeout a reset reports `failed`; the coordinator stays
 * busy until the steps already under way have ended, so two resets never overlap.
 */
export class ResetCoordinator {
  private active: ResetRun | null = null;
  /** Another operation that changes zones (a config reload): no reset meanwhile. */
  private held: { what: string; since: number } | null = null;

  constructor(private readonly opts: CoordinatorOptions) {}

  get busy(): boolean {
    return this.active !== null || this.held !== null;
  }

  /** What runs now, for a `busy` answer; null when nothing does. */
  describeBusy(): string | null {
    if (this.active)
      return `a reset is already running (${this.active.req.command}, ${this.active.req.kind}, started ${this.active.elapsedMs} ms ago)`;
    if (this.held)
      return `${this.held.what} is running (started ${Math.round(performance.now() - this.held.since)} ms ago)`;
    return null;
  }

  /** Runs fn while no reset can start; null (fn not run) when a reset or another holder is running. */
  async exclusive<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    if (this.busy) return null;
    this.held = { what, since: performance.now() };
    try {
      return await fn();
    } finally {
      this.held = null;
    }
  }

  async run(req: ResetRequest, ctx: ResetContext): Promise<HandlerResult> {
    const running = this.describeBusy();
    if (running) {
      const message = `${running}; try again when it is done`;
      const status: ResetStatus = {
        timestamp: new Date().toISOString(),
        type: 'system_reset_status',
        id: ctx.id,
        phase: 'failed',
        progress: emptyProgress(),
        errors: [message],
        duration_ms: 0,
      };
      this.opts.publish(status);
      ctx.progress?.(status);
      return { outcome: 'failed', error_type: 'busy', message };
    }
    const run = new ResetRun(req, ctx, this.opts);
    this.active = run;
    this.opts.resetting?.(true);
    this.opts.log.info(`${req.command} started`, {
      kind: req.kind,
      level: req.level,
      zones: req.zones?.join(',') ?? 'all',
      preserve_state: req.preserveState,
      force: req.force,
      timeout_ms: req.timeoutMs,
    });
    const work = run
      .execute()
      .catch((err: unknown): HandlerResult => {
        const message = `${req.command} failed: ${errorMessage(err)}`;
        this.opts.log.error('reset threw', { err });
        run.errors.push(message);
        run.emit('failed');
        return { outcome: 'failed', error_type: 'internal', message, result: run.result() };
      })
      .finally(() => {
        this.active = null;
        this.opts.resetting?.(false);
      });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HandlerResult>((resolve) => {
      timer = setTimeout(() => resolve(run.timedOut()), req.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
