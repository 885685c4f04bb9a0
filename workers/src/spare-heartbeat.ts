import type { IpcClient } from '@mpvisor/ipc';
import type { SupervisorToWorker, WorkerToSupervisor } from '@mpvisor/protocol';
import type { MpvSlot } from './mpv-slot.js';

type Ipc = IpcClient<SupervisorToWorker, WorkerToSupervisor>;

/**
 * A waiting spare's heartbeat: every interval, probe each idle mpv (two misses make a slot kill and
 * restart its mpv) and tell the supervisor, which kills a spare whose beats stop and hands out none
 * that reports a problem. Returns the stop, called at adoption: from then on the zone's heartbeat runs.
 */
export function spareHeartbeat(slots: readonly MpvSlot[], ipc: Ipc, intervalMs: number): () => void {
  const probeTimeout = Math.max(100, Math.floor(intervalMs / 2));
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const beat = async () => {
    const alive = await Promise.all(slots.map((s) => s.probe(probeTimeout)));
    if (stopped) return;
    const problems = slots.filter((_, i) => !alive[i]).map((s) => `mpv ${s.role} not answering`);
    ipc.send({
      type: 'heartbeat',
      seq: seq++,
      mpv: slots.map((s) => s.info()),
      healthy: problems.length === 0,
      problems,
    });
    timer = setTimeout(() => void beat(), intervalMs);
  };
  timer = setTimeout(() => void beat(), intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
