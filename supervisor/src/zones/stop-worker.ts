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
      o.log.warn(`worker still running after stop_timeout_ms (${o.timeoutMs} ms); sending SIGKILL`, {
        pid: worker.pid,
      });
      worker.killGroup('SIGKILL');
      clean = false;
    }
  }
  await settlesWithin(worker.exited, 2000);
  // Sweep anything left in the worker's group (mpv it could not stop).
  worker.killGroup('SIGKILL');
  return clean;
}

/**
 * A reset's stop of one worker: graceful (shutdown message and stdin EOF, SIGKILL of the group after
 * boundMs) or SIGKILL at once. Resolves once the worker has exited and its group is swept.
 */
export async function haltWorker(
  worker: WorkerProcess,
  send: ((msg: SupervisorToWorker) => boolean) | null,
  o: { graceful: boolean; boundMs?: number },
): Promise<void> {
  if (o.graceful) {
    send?.({ type: 'shutdown', reason: 'reset', drain_ms: 0 });
    worker.child.stdin?.end();
    if (!(await settlesWithin(worker.exited, o.boundMs ?? 1000))) worker.killGroup('SIGKILL');
  } else worker.killGroup('SIGKILL');
  await worker.exited;
  // The group may hold an mpv that did not quit with its worker.
  worker.killGroup('SIGKILL');
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}
