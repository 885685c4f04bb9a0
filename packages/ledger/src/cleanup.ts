import { isLiveState, isSameProcess, readStat, type ProcessIdentity, errorCode } from '@mpvisor/sys';
import type { Ledger, LedgerLogger } from './ledger.js';
import type { ProcessEntry, PulseModuleEntry } from './ledger-file.js';
import { removeIfStale } from './sockets.js';

export interface KilledProcess {
  pid: number;
  starttime: number;
  role: string;
  zone: string | null;
  instance: string | null;
  /** The signal that ended it. */
  signal: 'SIGTERM' | 'SIGKILL';
}

export interface SkippedItem {
  kind: 'process' | 'socket' | 'pulse_module' | 'run';
  pid?: number;
  role?: string;
  path?: string;
  module_index?: number;
  reason: string;
}

export interface TerminateOptions {
  /** Wait after SIGTERM before SIGKILL. Default 1500 ms. */
  termGraceMs?: number;
  /** Wait after SIGKILL before reporting the process as surviving. Default 1000 ms. */
  killWaitMs?: number;
}

export type TerminateResult =
  | { outcome: 'ended'; signal: 'SIGTERM' | 'SIGKILL' }
  | { outcome: 'not_running' | 'pid_reused' | 'survived' | 'error'; reason: string };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function endsWithin(id: ProcessIdentity, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!isSameProcess(id)) return true;
    if (Date.now() >= deadline) return false;
    await pause(25);
  }
}

/** Why an entry is not (or no longer) the process it names, or null when it is. */
export function identityProblem(entry: ProcessIdentity): 'not_running' | 'pid_reused' | null {
  const st = readStat(entry.pid);
  if (!st || !isLiveState(st.state)) return 'not_running';
  if (st.starttime !== entry.starttime) return 'pid_reused';
  return null;
}

/**
 * SIGTERM, wait, SIGKILL: only while the PID is still the recorded process (checked before each signal).
 * `group`: signal the process group too, only when the process leads its own group (a worker).
 */
export async function terminateProcess(
  entry: ProcessIdentity,
  opts: TerminateOptions & { group?: boolean } = {},
): Promise<TerminateResult> {
  const problem = identityProblem(entry);
  if (problem)
    return {
      outcome: problem,
      reason: problem === 'not_running' ? 'not running' : 'pid reused: start time differs from the ledger',
    };
  const leadsGroup = opts.group === true && readStat(entry.pid)?.pgrp === entry.pid;
  const send = (signal: NodeJS.Signals): string | null => {
    if (!isSameProcess(entry)) return 'gone';
    try {
      process.kill(leadsGroup ? -entry.pid : entry.pid, signal);
      return null;
    } catch (err) {
      const code = errorCode(err) ?? String(err);
      return code === 'ESRCH' ? 'gone' : code;
    }
  };
  const term = send('SIGTERM');
  if (term === 'gone') return { outcome: 'ended', signal: 'SIGTERM' };
  if (term !== null) return { outcome: 'error', reason: `SIGTERM failed: ${term}` };
  if (await endsWithin(entry, opts.termGraceMs ?? 1500)) return { outcome: 'ended', signal: 'SIGTERM' };
  const kill = send('SIGKILL');
  if (kill !== null && kill !== 'gone') return { outcome: 'error', reason: `SIGKILL failed: ${kill}` };
  if (await endsWithin(entry, opts.killWaitMs ?? 1000)) return { outcome: 'ended', signal: 'SIGKILL' };
  return { outcome: 'survived', reason: 'still running after SIGKILL' };
}

export interface CleanupReport {
  previous_run_id: string | null;
  killed: KilledProcess[];
  sockets_removed: string[];
  skipped: SkippedItem[];
  duration_ms: number;
}

export interface CleanupOptions extends TerminateOptions {
  log?: LedgerLogger;
  /** Unloads a PulseAudio module we loaded; absent: module entries are kept and reported as skipped. */
  unloadPulseModule?: (m: PulseModuleEntry) => Promise<boolean>;
  connectTimeoutMs?: number;
}

const killedOf = (e: ProcessEntry, signal: 'SIGTERM' | 'SIGKILL'): KilledProcess => ({
  pid: e.pid,
  starttime: e.starttime,
  role: e.role,
  zone: e.zone,
  instance: e.instance,
  signal,
});

/**
 * What a previous run (e.g. a SIGKILLed supervisor) left behind, cleaned from the ledger alone:
 * recorded processes still alive with the recorded start time are terminated; recorded socket files are
 * removed only when they are sockets that refuse connections. Nothing that is not in the ledger is
 * touched. Call it after load() and before beginRun(); entries of the current run are left alone.
 * Handled entries are forgotten; an entry that could not be handled stays for the next attempt.
 */
export async function cleanupLeftovers(ledger: Ledger, opts: CleanupOptions = {}): Promise<CleanupReport> {
  const started = Date.now();
  const report: CleanupReport = {
    previous_run_id: ledger.currentRunId === null ? ledger.runId : null,
    killed: [],
    sockets_removed: [],
    skipped: [],
    duration_ms: 0,
  };
  const current = ledger.currentRunId;
  const previous = current === null ? ledger.supervisor : null;
  if (previous && previous.pid !== process.pid && isSameProcess(previous)) {
    // Another supervisor is still running on this state folder: its processes are not leftovers.
    report.skipped.push({
      kind: 'run',
      pid: previous.pid,
      reason: 'the supervisor that wrote the ledger is still running',
    });
    report.duration_ms = Date.now() - started;
    return report;
  }
  const procs = ledger.processes.filter((p) => current === null || p.run_id !== current);
  // Workers first (their group takes their mpv along), in parallel so the whole pass is bounded.
  const forgetProcs: ProcessIdentity[] = [];
  await Promise.all(
    procs.map(async (e) => {
      const r = await terminateProcess(e, { ...opts, group: e.role === 'worker' });
      if (r.outcome === 'ended') {
        report.killed.push(killedOf(e, r.signal));
        forgetProcs.push(e);
      } else {
        report.skipped.push({ kind: 'process', pid: e.pid, role: e.role, reason: r.reason });
        if (r.outcome === 'not_running' || r.outcome === 'pid_reused') forgetProcs.push(e);
      }
    }),
  );
  const forgetSockets: string[] = [];
  for (const s of ledger.sockets.filter((x) => current === null || x.run_id !== current)) {
    const r = await removeIfStale(s.path, opts.connectTimeoutMs);
    if (r.removed) {
      report.sockets_removed.push(s.path);
      forgetSockets.push(s.path);
    } else if (r.status !== 'missing') {
      report.skipped.push({ kind: 'socket', path: s.path, reason: r.reason });
      // A live socket or a non-socket at that path is someone else's now; an unclear answer stays recorded.
      if (r.status !== 'unknown') forgetSockets.push(s.path);
    } else {
      forgetSockets.push(s.path);
    }
  }
  ledger.forgetMany({ processes: forgetProcs, sockets: forgetSockets });
  for (const m of ledger.pulseModules.filter((x) => current === null || x.run_id !== current)) {
    if (!opts.unloadPulseModule) {
      report.skipped.push({
        kind: 'pulse_module',
        module_index: m.module_index,
        reason: 'no PulseAudio cleanup configured; entry kept',
      });
      continue;
    }
    const ok = await opts.unloadPulseModule(m).catch(() => false);
    if (ok) ledger.forgetPulseModule(m.module_index);
    else
      report.skipped.push({ kind: 'pulse_module', module_index: m.module_index, reason: 'unload failed; entry kept' });
  }
  report.killed.sort((a, b) => a.pid - b.pid);
  report.duration_ms = Date.now() - started;
  if (report.killed.length || report.sockets_removed.length) {
    opts.log?.warn('cleaned leftovers of a previous run', {
      killed: report.killed.map((k) => `${k.role}:${k.pid}`).join(','),
      sockets: report.sockets_removed.join(','),
    });
  }
  return report;
}

export interface OrphanCandidate {
  entry: ProcessEntry;
  reason: string;
}

/**
 * mpv (and kiosk browser) processes of ours whose worker is gone: the recorded worker is no longer that process, or the mpv
 * was re-parented away from it. Only entries that are still the recorded process are candidates.
 */
export function findOrphans(ledger: Ledger): OrphanCandidate[] {
  const out: OrphanCandidate[] = [];
  for (const e of ledger.processes) {
    if (e.role !== 'mpv' && e.role !== 'browser') continue;
    const st = readStat(e.pid);
    if (!st || !isLiveState(st.state) || st.starttime !== e.starttime) continue;
    const parent = e.parent ?? ledger.processes.find((p) => p.role === 'worker' && p.pid === st.ppid) ?? null;
    if (!parent) {
      out.push({ entry: e, reason: 'no recorded worker is its parent' });
    } else if (!isSameProcess(parent)) {
      out.push({ entry: e, reason: `worker ${parent.pid} is gone` });
    } else if (st.ppid !== parent.pid) {
      out.push({ entry: e, reason: `re-parented from worker ${parent.pid} to ${st.ppid}` });
    }
  }
  return out;
}

export interface OrphanReport {
  killed: KilledProcess[];
  skipped: SkippedItem[];
}

/** Terminate exactly the candidates (each one re-checked right before every signal) and forget them. */
export async function killOrphans(
  ledger: Ledger,
  candidates: OrphanCandidate[] = findOrphans(ledger),
  opts: TerminateOptions = {},
): Promise<OrphanReport> {
  const report: OrphanReport = { killed: [], skipped: [] };
  const forget: ProcessIdentity[] = [];
  await Promise.all(
    candidates.map(async ({ entry }) => {
      const r = await terminateProcess(entry, opts);
      if (r.outcome === 'ended') {
        report.killed.push(killedOf(entry, r.signal));
        forget.push(entry);
      } else {
        report.skipped.push({ kind: 'process', pid: entry.pid, role: entry.role, reason: r.reason });
        if (r.outcome === 'not_running' || r.outcome === 'pid_reused') forget.push(entry);
      }
    }),
  );
  ledger.forgetMany({ processes: forget });
  report.killed.sort((a, b) => a.pid - b.pid);
  return report;
}

/** Forget process entries that are no longer the recorded process (exited, or PID reused). */
export function pruneDead(ledger: Ledger): number {
  const dead = ledger.processes.filter((e) => !isSameProcess(e));
  ledger.forgetMany({ processes: dead });
  return dead.length;
}
