import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  comm: string;
}

/** /proc/PID/stat, parsed past the parenthesised command name (which may contain spaces). */
export function readStat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const fields = raw.slice(close + 2).split(' ');
    return { pid, comm, state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** Alive means running or sleeping; a zombie (Z) or dead (X) entry is gone for our purposes. */
export function isAlive(pid: number): boolean {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

export function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Every live process whose parent chain leads to root (not including root). */
export function descendants(root: number): number[] {
  const stats = allPids().map(readStat).filter((s): s is ProcStat => s !== null && s.state !== 'Z');
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
  return allPids().filter((pid) => {
    if (pid === process.pid || !isAlive(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker) || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

export function commOf(pid: number): string | null {
  return readStat(pid)?.comm ?? null;
}
