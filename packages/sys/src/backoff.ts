/**
 * The one exponential backoff: initialMs x factor^attempt, capped at maxMs, spread by +-jitter (a
 * fraction of the delay) so processes that failed together do not retry in lockstep. Every retry loop
 * (zone restarts, mpv restarts, spare replenishment, MQTT reconnects) derives its delays from here.
 */
export interface Backoff {
  initialMs: number;
  /** Growth per attempt (>= 1). */
  factor: number;
  maxMs: number;
  /** 0..1: the delay is drawn uniformly from delay x (1 - jitter) .. delay x (1 + jitter), capped at maxMs. */
  jitter: number;
}

/** The delay before retry `attempt` (0-based), without jitter. */
export function backoffBase(b: Backoff, attempt: number): number {
  return Math.min(b.initialMs * b.factor ** Math.max(0, attempt), b.maxMs);
}

/** Spreads a delay by +-jitter; 0 stays 0 (an immediate retry is a decision, not a draw). */
export function withJitter(delayMs: number, jitter: number, random: () => number = Math.random): number {
  if (delayMs === 0 || jitter <= 0) return delayMs;
  const spread = delayMs * jitter;
  return Math.max(0, Math.round(delayMs - spread + random() * 2 * spread));
}

/** The delay before retry `attempt` (0-based), jittered and never above maxMs. */
export function backoffDelay(b: Backoff, attempt: number, random: () => number = Math.random): number {
  return Math.min(b.maxMs, withJitter(backoffBase(b, attempt), b.jitter, random));
}
