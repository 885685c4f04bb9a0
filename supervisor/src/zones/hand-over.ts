import type { Clock } from '../clock.js';
import type { WorkerSession } from './worker-session.js';

/** How a reset's hand-over knew the old worker was silent: its own report. */
export const SILENCED_BY_WORKER = 'old worker silenced its mpv';

/**
 * The first sign that a halting worker's mpv no longer sound: its own `silenced` report (its group is
 * then cut short, SIGKILL, so its teardown does not compete with the spare for the CPU), `gone` (the
 * caller's watch for the old mpv to be gone, stopped once the race is decided), or its exit. Resolves
 * with which it was and how long it took.
 */
export async function untilSilent(
  old: WorkerSession,
  halted: Promise<void>,
  gone: (stop: AbortSignal) => Promise<void>,
  clock: Clock,
): Promise<{ after: string; waitMs: number }> {
  const stop = new AbortController();
  const begun = clock.now();
  let after: string;
  try {
    after = await Promise.race([
      old.silenced.then(() => SILENCED_BY_WORKER),
      gone(stop.signal).then(() => 'old mpv gone'),
      halted.then(() => 'old worker exited'),
    ]);
  } finally {
    stop.abort();
  }
  if (after === SILENCED_BY_WORKER) old.cut();
  return { after, waitMs: Math.round(clock.now() - begun) };
}
