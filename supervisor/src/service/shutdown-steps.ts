import { mediaStateSchema, type MediaState, type ZoneState } from '@mpvisor/protocol';
import type { ZoneRunner } from '../zones/zone-runner.js';
import { errorMessage } from '@mpvisor/sys';

/** What a graceful stop reports to the entry file, which turns it into the exit code. */
export interface StopReport {
  /** True when every step finished in time and no worker needed SIGKILL. */
  clean: boolean;
  problems: string[];
  duration_ms: number;
}

const POLL_MS = 100;

const speaking = (z: ZoneState) =>
  z.speech !== undefined && (z.speech.status === 'playing' || z.speech.queue_length > 0);

/**
 * Let speech that is playing (and what is queued) finish, bounded by boundMs and cut short by the
 * signal (a second SIGTERM/SIGINT). Resolves with the zones still speaking when it gave up.
 */
export async function waitForSpeech(
  runners: readonly ZoneRunner[],
  boundMs: number,
  signal: AbortSignal,
): Promise<string[]> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const busy = runners
      .filter((r) => (r.state === 'ready' || r.state === 'degraded') && speaking(r.snapshot()))
      .map((r) => r.name);
    if (busy.length === 0 || signal.aborted || Date.now() >= deadline) return busy;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, POLL_MS);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/**
 * Ask every running zone for its media state right now (the position in a state message may be a
 * heartbeat old). A zone that does not answer in time keeps what it last reported.
 */
export async function collectMedia(
  runners: readonly ZoneRunner[],
  timeoutMs: number,
): Promise<Map<string, MediaState>> {
  const out = new Map<string, MediaState>();
  await Promise.all(
    runners.map(async (r) => {
      if (r.state !== 'ready' && r.state !== 'degraded') return;
      const res = await Promise.race([
        r.request('getState', {}, null, timeoutMs),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs + 100).unref()),
      ]);
      const media = res?.outcome === 'success' ? mediaStateSchema.safeParse(res.result) : null;
      if (media?.success) out.set(r.name, media.data);
    }),
  );
  return out;
}

/**
 * Stop every worker in reverse start order: the warm spares (started last) first, then the zones from
 * the last to the first. Resolves with what went wrong, one line each; an empty list is a clean stop.
 */
export async function stopWorkers(
  runners: readonly ZoneRunner[],
  spares: { stop(reason: string): Promise<boolean> } | null,
  reason: string,
): Promise<string[]> {
  const problems: string[] = [];
  try {
    if (spares && !(await spares.stop(reason)))
      problems.push('warm spares: a spare had to be killed (SIGKILL after stop_timeout_ms)');
  } catch (err) {
    problems.push(`warm spares: ${errorMessage(err)}`);
  }
  for (const runner of [...runners].reverse()) {
    try {
      if (!(await runner.stop(reason)))
        problems.push(`zone ${runner.name}: worker had to be killed (SIGKILL after stop_timeout_ms)`);
    } catch (err) {
      problems.push(`zone ${runner.name}: ${errorMessage(err)}`);
    }
  }
  return problems;
}
