import { readFileSync } from 'node:fs';
import { isLiveState, listPids, readStat, type ProcStat } from '@mpvisor/sys';
import { sleep } from './wait.js';

/** Alive means running or sleeping; a zombie (Z) or dead (X) entry is gone for our purposes. */
export function isAlive(pid: number): boolean {
  const st = readStat(pid);
  return st !== null && isLiveState(st.state);
}

/**
 * Which of pids are still alive once they have all exited or withinMs has passed, whichever comes
 * first: assert `toEqual([])` on it instead of sleeping withinMs and then looking.
 */
export async function aliveAfter(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await sleep(Math.min(25, deadline - Date.now()));
  }
}

/** Every live process whose parent chain leads to root (not including root). */
export function descendants(root: number): number[] {
  const stats = listPids()
    .map(readStat)
    .filter((s): s is ProcStat => s !== null && s.state !== 'Z');
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** Live processes whose environment or command line mentions a marker (e.g. a test's temp dir). */
export function processesMentioning(marker: string): number[] {
  return listPids().filter((pid) => {
    if (pid === process.pid || !isAlive(pid)) return false;
    try {
      return (
        readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker) ||
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)
      );
    } catch {
      return false;
    }
  });
}

export function commOf(pid: number): string | null {
  return readStat(pid)?.comm ?? null;
}

/** Whether a process name is Node's: Node 24 names its main thread, and so /proc/PID/comm, `MainThread`. */
export function isNodeComm(comm: string | null | undefined): boolean {
  return comm === 'node' || comm === 'MainThread';
}
