import { join } from 'node:path';
import { lstat } from 'node:fs/promises';
import {
  cleanupLeftovers,
  findOrphans,
  killOrphans,
  Ledger,
  LEGACY_SOCKET_PATTERNS,
  pruneDead,
  sweepStaleSockets,
  type CleanupReport,
  type PulseModuleEntry,
} from '@mpvisor/ledger';
import type { Logger } from '@mpvisor/log';
import { isSameProcess, readIdentity, errorCode } from '@mpvisor/sys';
import { success, warning } from '@mpvisor/protocol';
import type { SystemHandlerFamily } from './dispatcher.js';
import type { ProcessReport } from '../zones/runner-context.js';

export interface OwnershipOptions {
  stateDir: string;
  runDir: string;
  log: Logger;
  /** Unloads a PulseAudio module a previous run recorded (only if it still owns a sink with our tag). */
  unloadPulseModule?: (m: PulseModuleEntry) => Promise<boolean>;
}

/**
 * The supervisor's side of the ownership ledger: records what it starts, cleans what a previous run
 * left (at start, from the ledger alone), and answers cleanup_orphans and reset_sockets.
 * Nothing here acts on a process or file that is not recorded or not proven dead.
 */
export class Ownership {
  readonly ledger: Ledger;
  private startup: CleanupReport | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: OwnershipOptions) {
    this.ledger = new Ledger({ dir: opts.stateDir, log: opts.log });
  }

  /** Load the previous ledger, clean its leftovers, begin this run and record our sockets. */
  async start(ownSockets: string[]): Promise<CleanupReport> {
    const { log } = this.opts;
    const loaded = await this.ledger.load().catch((err: Error) => {
      log.warn('ledger could not be read; starting empty', { error: err.message });
      return null;
    });
    // The sockets we serve right now are not leftovers, whatever an older entry says.
    for (const path of ownSockets) this.ledger.forgetSocket(path);
    this.startup = await cleanupLeftovers(this.ledger, {
      log,
      ...(this.opts.unloadPulseModule ? { unloadPulseModule: this.opts.unloadPulseModule } : {}),
    });
    this.ledger.beginRun();
    for (const path of ownSockets) this.ledger.recordSocket(path);
    log.info('ownership ledger ready', {
      file: this.ledger.file,
      loaded: loaded?.status ?? 'error',
      killed: this.startup.killed.length,
      sockets_removed: this.startup.sockets_removed.length,
      skipped: this.startup.skipped.length,
    });
    return this.startup;
  }

  onProcess(zone: string, r: ProcessReport): void {
    if (r.pid <= 0) return;
    if (r.action === 'exited') {
      this.ledger.forgetProcess(r.pid);
      if (r.role === 'worker') this.schedulePrune();
      return;
    }
    // Read on this side: the worker's report may lack the start time; a process already gone is not recorded.
    const id = readIdentity(r.pid);
    if (!id) return;
    if (r.role === 'worker') {
      this.ledger.recordProcess({ ...id, role: 'worker', zone, instance: 'worker' });
      return;
    }
    const worker = r.worker_pid === null ? undefined : this.ledger.findProcess(r.worker_pid);
    // A screen zone's kiosk Chromium is recorded as what it is; everything else a worker starts is an mpv.
    const role = r.role === 'browser' ? 'browser' : 'mpv';
    this.ledger.recordProcess({
      ...id,
      role,
      zone,
      instance: r.instance,
      parent: worker ? { pid: worker.pid, starttime: worker.starttime } : null,
    });
  }

  /** The group SIGKILL after a worker exit takes its mpv: forget them once they are gone. */
  private schedulePrune(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setTimeout(() => {
      this.pruneTimer = null;
      pruneDead(this.ledger);
    }, 1000);
    this.pruneTimer.unref();
  }

  health(): { ledger: { processes: number; sockets: number }; startup_cleanup: CleanupReport | null } {
    const c = this.ledger.counts();
    return { ledger: { processes: c.processes, sockets: c.sockets }, startup_cleanup: this.startup };
  }

  async cleanupOrphans() {
    const pruned = pruneDead(this.ledger);
    const candidates = findOrphans(this.ledger);
    const report = await killOrphans(this.ledger, candidates);
    await this.ledger.flush();
    return {
      mpv_processes_killed: report.killed.length,
      killed: report.killed,
      candidates: candidates.map((c) => ({
        pid: c.entry.pid,
        zone: c.entry.zone,
        instance: c.entry.instance,
        reason: c.reason,
      })),
      skipped: report.skipped,
      entries_pruned: pruned,
    };
  }

  async resetSockets() {
    const recorded = this.ledger.sockets.map((s) => s.path);
    const report = await sweepStaleSockets([...recorded, join(this.opts.runDir, '*.sock'), ...LEGACY_SOCKET_PATTERNS]);
    const gone: string[] = [];
    for (const p of recorded) if (report.removed.includes(p) || !(await exists(p))) gone.push(p);
    this.ledger.forgetMany({ sockets: gone });
    await this.ledger.flush();
    return {
      sockets_cleaned: report.removed.length,
      removed: report.removed,
      kept_live: report.kept_live,
      kept_not_socket: report.kept_not_socket,
      kept_unknown: report.kept_unknown,
    };
  }

  handlers() {
    return {
      cleanup_orphans: async () => {
        const r = await this.cleanupOrphans();
        const n = r.mpv_processes_killed;
        return r.skipped.length
          ? warning(`killed ${n} orphaned mpv; some could not be killed`, r)
          : success(`killed ${n} orphaned mpv`, r);
      },
      reset_sockets: async () => {
        const r = await this.resetSockets();
        return success(`removed ${r.sockets_cleaned} stale sockets`, r);
      },
    } satisfies SystemHandlerFamily;
  }

  /** After the zones stopped: forget what is gone and make sure the file is written. */
  async stop(): Promise<void> {
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = null;
    // The workers' groups were just SIGKILLed: the kernel may need a moment to take the last mpv down.
    // What is still alive after the bound stays recorded, for the next start to clean.
    const deadline = Date.now() + 1000;
    while (this.ledger.processes.some(isSameProcess) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    pruneDead(this.ledger);
    const gone: string[] = [];
    for (const s of this.ledger.sockets) if (!(await exists(s.path))) gone.push(s.path);
    this.ledger.forgetMany({ sockets: gone });
    await this.ledger.flush();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    return errorCode(err) !== 'ENOENT';
  }
}
