import type { RestartPolicyConfig } from '@mpvisor/config';

/**
 * Restart decisions as data plus pure functions, after OTP's supervisor: one record per zone, a sliding
 * window of restart timestamps on the monotonic clock, and one function that maps an exit to an action.
 */
export interface RestartRecord {
  /** Monotonic timestamps of restarts inside the window. */
  window: number[];
  /** Crashes since the zone last ran stably; drives the backoff exponent. */
  consecutive: number;
  total: number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** How long the worker ran, in ms (0 if it never became ready). */
  uptimeMs: number;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number; record: RestartRecord }
  | { action: 'give_up'; reason: string; record: RestartRecord }
  | { action: 'stay_down'; reason: string; record: RestartRecord };

export const freshRecord = (): RestartRecord => ({ window: [], consecutive: 0, total: 0 });

export const isCleanExit = (exit: ExitInfo): boolean => exit.code === 0 && exit.signal === null;

/** Delay before restart number `consecutive` (1-based) since the last stable run, before jitter. */
export function backoffDelay(policy: RestartPolicyConfig, consecutive: number): number {
  if (consecutive <= 1) return 0;
  const raw = policy.restart_backoff_initial_ms * policy.restart_backoff_factor ** (consecutive - 2);
  return Math.min(policy.restart_backoff_max_ms, raw);
}

/** Spread a delay by +-jitter so zones that crashed together do not restart in lockstep. */
export function withJitter(delayMs: number, jitter: number, random: () => number): number {
  if (delayMs === 0 || jitter <= 0) return delayMs;
  const spread = delayMs * jitter;
  return Math.max(0, Math.round(delayMs - spread + random() * 2 * spread));
}

export function decideRestart(
  policy: RestartPolicyConfig,
  record: RestartRecord,
  exit: ExitInfo,
  now: number,
  random: () => number = Math.random,
): RestartDecision {
  if (policy.restart_type === 'temporary') {
    return { action: 'stay_down', reason: 'restart_type temporary: never restarted', record };
  }
  if (policy.restart_type === 'transient' && isCleanExit(exit)) {
    return { action: 'stay_down', reason: 'restart_type transient: clean exit is not restarted', record };
  }
  const stable = exit.uptimeMs >= policy.stable_after_ms;
  const consecutive = stable ? 1 : record.consecutive + 1;
  const window = record.window.filter((t) => now - t < policy.restart_window_ms);
  if (window.length >= policy.max_restarts) {
    return {
      action: 'give_up',
      reason: `more than ${policy.max_restarts} restarts within ${policy.restart_window_ms} ms`,
      record: { window, consecutive, total: record.total },
    };
  }
  const delayMs = withJitter(backoffDelay(policy, consecutive), policy.restart_jitter, random);
  return {
    action: 'restart',
    delayMs,
    attempt: window.length + 1,
    record: { window: [...window, now + delayMs], consecutive, total: record.total + 1 },
  };
}

/** A manual reset or restart command revives a failed zone with a clean slate. */
export const resetRecord = (record: RestartRecord): RestartRecord => ({ window: [], consecutive: 0, total: record.total });
