import { restartDelay, type RestartPolicyConfig } from '@mpvisor/config';
import { withJitter } from '@mpvisor/sys';

/**
 * Restart decisions as data plus pure functions, after OTP's supervisor: one record per zone, a sliding
 * window of restart timestamps on the monotonic clock, and one function that maps an exit to an action.
 * The delay sequence itself is config's `restartDelay`, so the reachability warning and the policy agree.
 */
export interface RestartRecord {
  /** Monotonic timestamps of restarts inside the window. */
  window: number[];
  /** Crashes since the zone last ran stably; drives the backoff exponent. */
  consecutive: number;
  total: number;
  /** Automatic soft resets in the current failure streak (cleared by a stable run). */
  autoResets: number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** How long the worker ran, in ms (0 if it never became ready). */
  uptimeMs: number;
}

export interface DecideOptions {
  random?: () => number;
  /** auto_reset_threshold when auto_reset_enabled, else null. */
  autoResetThreshold?: number | null;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number; record: RestartRecord }
  | { action: 'auto_reset'; reason: string; consecutive: number; record: RestartRecord }
  | { action: 'give_up'; reason: string; record: RestartRecord }
  | { action: 'stay_down'; reason: string; record: RestartRecord };

export const freshRecord = (): RestartRecord => ({ window: [], consecutive: 0, total: 0, autoResets: 0 });

export const isCleanExit = (exit: Pick<ExitInfo, 'code' | 'signal'>): boolean =>
  exit.code === 0 && exit.signal === null;

export { restartDelay };

/** Exit reason x restart type: is this exit one that the policy restarts at all? */
export function restartable(policy: RestartPolicyConfig, exit: Pick<ExitInfo, 'code' | 'signal'>): string | null {
  if (policy.restart_type === 'temporary') return 'restart_type temporary: never restarted';
  if (policy.restart_type === 'transient' && isCleanExit(exit))
    return 'restart_type transient: clean exit is not restarted';
  return null;
}

export function decideRestart(
  policy: RestartPolicyConfig,
  record: RestartRecord,
  exit: ExitInfo,
  now: number,
  opts: DecideOptions = {},
): RestartDecision {
  const random = opts.random ?? Math.random;
  const down = restartable(policy, exit);
  if (down) return { action: 'stay_down', reason: down, record };
  const stable = exit.uptimeMs >= policy.stable_after_ms;
  const consecutive = stable ? 1 : record.consecutive + 1;
  const autoResets = stable ? 0 : record.autoResets;
  const window = record.window.filter((t) => now - t < policy.restart_window_ms);
  const threshold = opts.autoResetThreshold ?? null;
  if (threshold !== null && consecutive >= threshold && autoResets === 0) {
    // One soft reset per failure streak: a fresh window, so `failed` stays reachable afterwards.
    return {
      action: 'auto_reset',
      consecutive,
      reason: `${consecutive} consecutive failures (auto_reset_threshold ${threshold})`,
      record: { window: [], consecutive: 0, total: record.total + 1, autoResets: autoResets + 1 },
    };
  }
  if (window.length >= policy.max_restarts) {
    return {
      action: 'give_up',
      reason: `more than ${policy.max_restarts} restarts within ${policy.restart_window_ms} ms`,
      record: { window, consecutive, total: record.total, autoResets },
    };
  }
  const delayMs = withJitter(restartDelay(policy, consecutive), policy.restart_jitter, random);
  return {
    action: 'restart',
    delayMs,
    attempt: window.length + 1,
    record: { window: [...window, now + delayMs], consecutive, total: record.total + 1, autoResets },
  };
}

/** A manual reset or restart command revives a failed zone with a clean slate. */
export const resetRecord = (record: RestartRecord): RestartRecord => ({ ...freshRecord(), total: record.total });
