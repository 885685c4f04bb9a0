import type { RestartPolicyConfig, ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { ZoneLifecycle } from '@mpvisor/protocol';
import type { Clock } from '../clock.js';
import { decideRestart, freshRecord, resetRecord, type RestartDecision } from './restart-policy.js';
import type { WorkerExit } from './worker-process.js';
import type { ZoneHooks } from './runner-context.js';
import { noteError, type ZoneFacts } from './zone-snapshot.js';

/**
 * What follows a crash, read off the policy's decision: start again (the lifecycle event to publish,
 * after what delay, whether a warm spare may stand in) or stay down.
 */
export type ExitPlan =
  | {
      kind: 'start_again';
      event: 'restarting' | 'auto_reset';
      detail: Record<string, unknown>;
      delayMs: number;
      spareAllowed: boolean;
    }
  | { kind: 'stay_down'; lifecycle: 'failed' | 'stopped'; reason: string };

/** Why a worker exited, as last_exit and the lifecycle events say it: ours when we killed it for a reason. */
export function exitReason(exit: WorkerExit, killReason: string | null): string {
  return killReason ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`);
}

export function planAfterExit(decision: RestartDecision, policy: RestartPolicyConfig): ExitPlan {
  switch (decision.action) {
    case 'auto_reset':
      // A soft reset: a restart on a fresh policy record, always a cold spawn.
      return {
        kind: 'start_again',
        event: 'auto_reset',
        detail: { level: 'soft', reason: decision.reason, consecutive_failures: decision.consecutive },
        delayMs: 0,
        spareAllowed: false,
      };
    case 'restart':
      return {
        kind: 'start_again',
        event: 'restarting',
        detail: { attempt: decision.attempt, max: policy.max_restarts, delay_ms: decision.delayMs },
        delayMs: decision.delayMs,
        spareAllowed: true,
      };
    case 'give_up':
      return { kind: 'stay_down', lifecycle: 'failed', reason: decision.reason };
    case 'stay_down':
      return { kind: 'stay_down', lifecycle: 'stopped', reason: decision.reason };
  }
}

export interface RecoveryContext {
  zone: ZoneConfig;
  clock: Clock;
  log: Logger;
  hooks: ZoneHooks;
  facts: ZoneFacts;
  random?: () => number;
  autoResetThreshold?: number | null;
  setLifecycle(state: ZoneLifecycle): void;
  spawn(): void;
  /** A ready warm spare adopted now; false when none fits. */
  adoptSpare(): boolean;
  /** Hands an auto reset to the reset coordinator; false when there is none (the zone then restarts itself). */
  viaCoordinator?(reason: string): boolean;
}

/**
 * The path from a worker's crash to what follows: the pure restart policy decides, this publishes the
 * decision and carries it out. It holds the zone's restart record and its pending restart.
 */
export class CrashRecovery {
  private record = freshRecord();
  private timer: unknown = null;
  /** An auto reset is with the coordinator: its relaunch keeps the record the decision made. */
  private autoResetting = false;

  constructor(private readonly o: RecoveryContext) {}

  get restarts(): number {
    return this.record.total;
  }

  afterCrash(exit: WorkerExit, reason: string, uptimeMs: number): void {
    const { clock, log, zone, hooks } = this.o;
    const detail = { code: exit.code, signal: exit.signal, reason, uptime_ms: Math.round(uptimeMs) };
    log.warn('worker exited', detail);
    hooks.lifecycle(zone.name, 'crashed', detail);
    const decision = decideRestart(zone.restart, this.record, { ...exit, uptimeMs }, clock.now(), {
      random: this.o.random,
      autoResetThreshold: this.o.autoResetThreshold ?? null,
    });
    this.record = decision.record;
    this.follow(planAfterExit(decision, zone.restart));
  }

  /** No restart pending any more (a stop, or a reset that starts the worker itself). */
  cancel(): void {
    this.o.clock.clearTimeout(this.timer);
  }

  /**
   * A restart or reset command revives the zone with a clean slate (the total is kept). The relaunch of
   * an auto reset keeps the record its decision made, so a zone gets one auto reset per failure streak.
   */
  cleanSlate(): void {
    if (!this.autoResetting) this.record = resetRecord(this.record);
    this.autoResetting = false;
  }

  private follow(plan: ExitPlan): void {
    const { clock, log, hooks, facts, zone } = this.o;
    if (plan.kind === 'stay_down') {
      noteError(facts, plan.reason);
      this.o.setLifecycle(plan.lifecycle);
      hooks.lifecycle(zone.name, plan.lifecycle, { reason: plan.reason });
      return;
    }
    if (plan.event === 'auto_reset') log.warn('auto reset', { reason: plan.detail.reason });
    facts.nextRestartAt = clock.now() + plan.delayMs;
    this.o.setLifecycle('restarting');
    hooks.lifecycle(zone.name, plan.event, plan.detail);
    if (plan.event === 'auto_reset' && this.o.viaCoordinator) {
      this.autoResetting = true;
      if (this.o.viaCoordinator(String(plan.detail.reason))) return;
      this.autoResetting = false;
    }
    // A warm spare is adopted at once at 0 ms (no cold start for a request to wait on). A cold spawn
    // goes through the event loop even at 0 ms, so a stop or reset request is served between attempts.
    if (plan.spareAllowed && plan.delayMs === 0 && this.o.adoptSpare()) return;
    this.timer = clock.setTimeout(() => {
      if (!plan.spareAllowed || !this.o.adoptSpare()) this.o.spawn();
    }, plan.delayMs);
  }
}
