import type { Logger } from '@mpvisor/log';
import type { SupervisorToWorker } from '@mpvisor/protocol';
import type { WorkerProcess } from './worker-process.js';

/**
 * Graceful stop of one worker process bounded by timeoutMs: ask (shutdown message, stdin EOF), SIGTERM
 * the group after min(1 s, half the bound), SIGKILL at the bound, then sweep the group. Resolves true
 * when no SIGKILL was needed. Shared by zone workers and warm spares.
 */
export async function stopWorker(
  worker: WorkerProcess,
  send: ((msg: SupervisorToWorker) => boolean) | null,
  o: { reason: string; timeoutMs: number; log: Logger },
): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs;
  let clean = true;
  send?.({ type: 'shutdown', reason: o.reason, drain_ms: 0 });
  worker.child.stdin?.end();
  if (!(await settlesWithin(worker.exited, Math.min(1000, Math.floor(o.timeoutMs / 2))))) {
    o.log.warn('worker did not stop when asked; sending SIGTERM', { pid: worker.pid });
    worker.killGroup('SIGTERM');
    if (!(await settlesWithin(worker.exited, Math.max(0, deadline - Date.now())))) {
      o.log.warn(`worker still running after stop_timeout_ms (${o.timeoutMs} ms); sending SIGKILL`, { pid: worker.pid });
      worker.killGroup('SIGKILL');
      clean = false;
    }
  }
  await settlesWithin(worker.exited, 2000);
  // Sweep anything left in the worker's group (mpv it could not stop).
  worker.killGroup('SIGKILL');
  return clean;
}

export function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}
