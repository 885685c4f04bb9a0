import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for `promise` at most `ms` milliseconds: true when it settled (resolved or rejected) in time,
 * false when the time ran out. Never rejects, and its timer is released either way, so a bounded wait
 * leaves nothing behind to hold the process open.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, sleep(ms, false, { signal: timer.signal, ref: false })]);
  } finally {
    timer.abort();
  }
}
