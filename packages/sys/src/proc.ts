// The one reader of /proc: process identity (pid + start time within a boot), state, parent, group.
import { readdirSync, readFileSync } from 'node:fs';

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/**
 * This boot's random id. Start times count from boot, so (pid, starttime) names a process only
 * within one boot: after a reboot a new process can have both. Null where the kernel does not say.
 */
export function readBootId(file = BOOT_ID_FILE): string | null {
  try {
    const id = readFileSync(file, 'utf8').trim();
    return id === '' ? null : id;
  } catch {
    return null;
  }
}

/** A process as the kernel knows it: PIDs are reused, (pid, starttime) is not. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot at which the process started. */
  starttime: number;
}

export interface ProcStat extends ProcessIdentity {
  comm: string;
  /** R, S, D, T, Z (zombie), X (dead), ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime (fields 14 and 15): CPU time used, in clock ticks. */
  cpuTicks: number;
}

/** Every PID /proc lists now (processes come and go while the caller reads them). */
export function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * /proc/PID/stat, parsed after the last ')' because the command name may contain spaces and parentheses.
 * Reading /proc never touches a disk, so the synchronous read is cheap (~0.1 ms).
 */
export function readStat(pid: number): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = raw.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after the comm start at field 3 (state): field N is at index N - 3.
  const fields = raw
    .slice(close + 2)
    .trim()
    .split(' ');
  const starttime = Number(fields[22 - 3]);
  if (!Number.isFinite(starttime)) return null;
  return {
    pid,
    comm: raw.slice(raw.indexOf('(') + 1, close),
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuTicks: Number(fields[14 - 3]) + Number(fields[15 - 3]),
    starttime,
  };
}

/** The identity of a running (or zombie) process, or null when there is no such PID. */
export function readIdentity(pid: number): ProcessIdentity | null {
  const st = readStat(pid);
  return st ? { pid: st.pid, starttime: st.starttime } : null;
}

/** Running or sleeping; a zombie (Z) or dead (X) entry has already ended for our purposes. */
export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/** True only when the PID is alive (not a zombie) AND started at the recorded time: the same process. */
export function isSameProcess(entry: ProcessIdentity): boolean {
  const st = readStat(entry.pid);
  return st !== null && isLiveState(st.state) && st.starttime === entry.starttime;
}
