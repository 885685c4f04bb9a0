// Restart policy keys: defaults in [system:main], overridable per zone section.
import type { SectionReader } from './fields.js';
import { RESTART_TYPES } from '@mpvisor/protocol';
import type { RestartPolicyConfig } from './types.js';
import { type Backoff, backoffBase } from '@mpvisor/sys';

const DAY_MS = 86_400_000;
const TEN_MIN_MS = 600_000;

export const RESTART_DEFAULTS: Readonly<RestartPolicyConfig> = Object.freeze({
  restart_type: 'permanent',
  restart_backoff_initial_ms: 100,
  restart_backoff_max_ms: 30_000,
  restart_backoff_factor: 2,
  restart_jitter: 0.2,
  max_restarts: 5,
  restart_window_ms: 300_000,
  stable_after_ms: 10_000,
  startup_timeout_ms: 10_000,
  heartbeat_timeout_ms: 3_000,
  health_interval_ms: 1_000,
  stop_timeout_ms: 5_000,
  restart_on_resource_limit: false,
});

export const RESTART_KEYS: readonly string[] = [
  'restart_type',
  'restart_backoff_initial_ms',
  'restart_backoff_max_ms',
  'restart_backoff_factor',
  'restart_jitter',
  'max_restarts',
  'restart_window_ms',
  'stable_after_ms',
  'startup_timeout_ms',
  'heartbeat_timeout_ms',
  'health_interval_ms',
  'stop_timeout_ms',
  'max_rss_mb',
  'max_cpu_percent',
  'restart_on_resource_limit',
];

/** Reads the policy keys present in `r` on top of `base`; `overridden` says whether any was set. */
export function readRestartPolicy(
  r: SectionReader,
  base: Readonly<RestartPolicyConfig>,
): { policy: RestartPolicyConfig; overridden: boolean } {
  const overridden = RESTART_KEYS.some((k) => r.has(k));
  const p: RestartPolicyConfig = {
    restart_type: r.oneOf('restart_type', RESTART_TYPES, base.restart_type),
    restart_backoff_initial_ms: r.duration('restart_backoff_initial_ms', base.restart_backoff_initial_ms, {
      min: 0,
      max: TEN_MIN_MS,
    }),
    restart_backoff_max_ms: r.duration('restart_backoff_max_ms', base.restart_backoff_max_ms, { min: 0, max: DAY_MS }),
    restart_backoff_factor: r.num('restart_backoff_factor', base.restart_backoff_factor, { min: 1, max: 10 }),
    restart_jitter: r.num('restart_jitter', base.restart_jitter, { min: 0, max: 1 }),
    max_restarts: r.int('max_restarts', base.max_restarts, { min: 0, max: 1000 }),
    restart_window_ms: r.duration('restart_window_ms', base.restart_window_ms, { min: 1000, max: DAY_MS }),
    stable_after_ms: r.duration('stable_after_ms', base.stable_after_ms, { min: 0, max: DAY_MS }),
    startup_timeout_ms: r.duration('startup_timeout_ms', base.startup_timeout_ms, { min: 100, max: TEN_MIN_MS }),
    heartbeat_timeout_ms: r.duration('heartbeat_timeout_ms', base.heartbeat_timeout_ms, { min: 100, max: TEN_MIN_MS }),
    health_interval_ms: r.duration('health_interval_ms', base.health_interval_ms, { min: 50, max: TEN_MIN_MS }),
    stop_timeout_ms: r.duration('stop_timeout_ms', base.stop_timeout_ms, { min: 0, max: TEN_MIN_MS }),
    restart_on_resource_limit: r.bool('restart_on_resource_limit', base.restart_on_resource_limit),
  };
  const rss = r.optNum('max_rss_mb', { min: 1, max: 1_000_000 }) ?? base.max_rss_mb;
  if (rss !== undefined) p.max_rss_mb = rss;
  const cpu = r.optNum('max_cpu_percent', { min: 1, max: 100_000 }) ?? base.max_cpu_percent;
  if (cpu !== undefined) p.max_cpu_percent = cpu;

  if (
    p.restart_backoff_max_ms < p.restart_backoff_initial_ms &&
    (r.has('restart_backoff_max_ms') || r.has('restart_backoff_initial_ms'))
  ) {
    const key = r.has('restart_backoff_max_ms') ? 'restart_backoff_max_ms' : 'restart_backoff_initial_ms';
    r.error(
      key,
      `restart_backoff_max_ms (${p.restart_backoff_max_ms}) must not be below restart_backoff_initial_ms (${p.restart_backoff_initial_ms})`,
    );
  }
  if (
    p.health_interval_ms >= p.heartbeat_timeout_ms &&
    (r.has('health_interval_ms') || r.has('heartbeat_timeout_ms'))
  ) {
    const key = r.has('health_interval_ms') ? 'health_interval_ms' : 'heartbeat_timeout_ms';
    r.warn(
      key,
      `health_interval_ms (${p.health_interval_ms}) should be well below heartbeat_timeout_ms (${p.heartbeat_timeout_ms}), or one late heartbeat kills the worker`,
    );
  }
  if (
    p.restart_on_resource_limit &&
    p.max_rss_mb === undefined &&
    p.max_cpu_percent === undefined &&
    r.has('restart_on_resource_limit')
  ) {
    r.warn('restart_on_resource_limit', 'has no effect without max_rss_mb or max_cpu_percent');
  }
  return { policy: p, overridden };
}

/** The restart keys as the shared backoff reads them. */
export function restartBackoff(p: RestartPolicyConfig): Backoff {
  return {
    initialMs: p.restart_backoff_initial_ms,
    factor: p.restart_backoff_factor,
    maxMs: p.restart_backoff_max_ms,
    jitter: p.restart_jitter,
  };
}

/** Backoff delay before restart number `n` (0-based), without jitter. */
export function backoffDelay(p: RestartPolicyConfig, n: number): number {
  return backoffBase(restartBackoff(p), n);
}

/**
 * The single source of restart delays (before jitter), used by the supervisor's restart policy and by
 * the reachability warning below. `consecutive` is the 1-based number of crashes since the zone last
 * ran stably: the first restart is immediate, then restart_backoff_initial_ms grows by the factor.
 */
export function restartDelay(p: RestartPolicyConfig, consecutive: number): number {
  return consecutive <= 1 ? 0 : backoffDelay(p, consecutive - 2);
}

/**
 * The shortest time a crash loop needs to make max_restarts restarts: the sum of their delays. The
 * window holds restart times; the next crash gives up only while the first of them is in the window.
 */
export function crashLoopSpanMs(p: RestartPolicyConfig): number {
  let sum = 0;
  for (let k = 1; k <= p.max_restarts; k++) sum += restartDelay(p, k);
  return sum;
}

/**
 * If the delays of the first max_restarts restarts alone add up to more than the window, restarts can
 * never pile up inside it and the zone would retry forever instead of reaching `failed`.
 */
export function checkReachable(r: SectionReader, p: RestartPolicyConfig): void {
  if (p.restart_type === 'temporary' || p.max_restarts === 0) return;
  const sum = crashLoopSpanMs(p);
  if (sum > p.restart_window_ms) {
    r.warn(
      'restart_window_ms',
      `the first ${p.max_restarts} restart delays add up to ${Math.round(sum)} ms, more than restart_window_ms (${p.restart_window_ms}): ` +
        'the zone could never reach "failed"; raise restart_window_ms or lower max_restarts / the backoff',
    );
  }
}
