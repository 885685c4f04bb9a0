import type { Ledger } from '@mpvisor/ledger';
import { isSameProcess, readIdentity, type ProcessIdentity } from '@mpvisor/sys';
import type { ZoneRunner } from '../zones/zone-runner.js';

export interface Victim extends ProcessIdentity {
  zone: string;
}

/**
 * The live mpv of these zones, with their start times: what the workers last reported plus what the
 * ledger holds for the zones (an mpv the worker has not reported yet, or one it lost track of).
 */
export function mpvOf(runners: readonly ZoneRunner[], ledger: Ledger | null): Victim[] {
  const out = new Map<number, Victim>();
  for (const r of runners) {
    for (const pid of r.mpvPids) {
      const id = readIdentity(pid);
      if (id && isSameProcess(id)) out.set(pid, { ...id, zone: r.name });
    }
    for (const e of ledger?.processes ?? []) {
      if (e.role !== 'mpv' || e.zone !== r.name || out.has(e.pid)) continue;
      if (isSameProcess(e)) out.set(e.pid, { pid: e.pid, starttime: e.starttime, zone: r.name });
    }
  }
  return [...out.values()];
}

/**
 * The mpv of these zones the ledger learned of while their workers were halted (an effect voice that
 * started after mpvOf was taken), minus those already known: their workers' group SIGKILL takes them,
 * and the reset waits for that, so its orphan check never sees them alive under a dead worker. A zone's
 * current worker (a spare that took over) and its mpv are not among them.
 */
export function lateMpvOf(runners: readonly ZoneRunner[], ledger: Ledger | null, known: readonly Victim[]): Victim[] {
  const out: Victim[] = [];
  for (const r of runners) {
    for (const e of ledger?.processes ?? []) {
      if (e.role !== 'mpv' || e.zone !== r.name || known.some((v) => v.pid === e.pid)) continue;
      if (e.parent !== null && e.parent.pid === r.pid) continue;
      if (isSameProcess(e)) out.push({ pid: e.pid, starttime: e.starttime, zone: r.name });
    }
  }
  return out;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How often a reset looks whether the processes it is waiting on are gone. */
const POLL_MS = 5;

/**
 * Resolves once none of the victims is the recorded process any more, or when `stop` aborts (the
 * caller's own bound). Never rejects.
 */
export async function untilGone(victims: readonly Victim[], stop: AbortSignal): Promise<void> {
  let alive = victims.filter(isSameProcess);
  while (alive.length > 0 && !stop.aborted) {
    await pause(POLL_MS);
    alive = alive.filter(isSameProcess);
  }
}

/**
 * Waits until each victim is no longer the recorded process; one still there at the bound gets a
 * SIGKILL (it is ours: same pid and start time) and a last short wait. Returns the gone and the survivors.
 */
export async function confirmGone(
  victims: readonly Victim[],
  boundMs: number,
): Promise<{ gone: Victim[]; survivors: Victim[] }> {
  const deadline = Date.now() + boundMs;
  let alive = victims.filter(isSameProcess);
  while (alive.length > 0 && Date.now() < deadline) {
    await pause(POLL_MS);
    alive = alive.filter(isSameProcess);
  }
  for (const v of alive) {
    try {
      if (isSameProcess(v)) process.kill(v.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  if (alive.length > 0) {
    const last = Date.now() + 1000;
    while (alive.length > 0 && Date.now() < last) {
      await pause(POLL_MS);
      alive = alive.filter(isSameProcess);
    }
  }
  return { gone: victims.filter((v) => !alive.includes(v)), survivors: alive };
}
