import { randomBytes } from 'node:crypto';
import { readFile, readdir, rename, unlink } from 'node:fs/promises';
import { isAtomicTempOf, settlesWithin, writeFileAtomic, errorCode, errorMessage } from '@mpvisor/sys';
import { join } from 'node:path';
import { readBootId, readIdentity, type ProcessIdentity } from '@mpvisor/sys';
import {
  type LedgerData,
  parseLedger,
  type ProcessEntry,
  type PulseModuleEntry,
  type SocketEntry,
} from './ledger-file.js';

export type ProcessRole = 'worker' | 'mpv' | 'supervisor' | (string & {});

export interface LedgerLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
}

export interface LedgerOptions {
  /** The state directory; the ledger is `{dir}/ledger.json`. */
  dir: string;
  log?: LedgerLogger;
  /** This boot's id (default: read from the kernel); tests pass another to play a reboot. */
  bootId?: string | null;
  /** How long flush() waits for a write before giving up (the write itself continues). Default 5 s. */
  writeTimeoutMs?: number;
  /** Tests only: runs after the temp file is synced, before the rename. */
  beforeRename?: (tmpPath: string) => Promise<void> | void;
}

export interface LoadResult {
  status: 'loaded' | 'missing' | 'corrupt';
  /** Where a corrupt file was moved to. */
  movedTo?: string;
  /** Temp files of an interrupted write that were removed. */
  strayTempFiles: number;
  /** Entries of another boot, dropped unsignalled (their pids and PulseAudio modules are someone else's now). */
  otherBoot?: { boot_id: string | null; processes: number; pulse_modules: number };
}

export const LEDGER_FILE = 'ledger.json';

const now = () => new Date().toISOString();

const emptyData = (bootId: string | null): LedgerData => ({
  version: 1,
  boot_id: bootId,
  run_id: null,
  supervisor: null,
  updated_at: now(),
  processes: [],
  sockets: [],
  pulse_modules: [],
});

/**
 * What this installation started: processes (pid + starttime), socket files and PulseAudio modules.
 * Cleanup acts only on entries of this ledger (and on sockets that a connect attempt proves dead).
 *
 * Every change is persisted atomically (temp file in the same folder, fsync, rename, fsync of the
 * folder). Writes are serialized: at most one in flight, and changes made meanwhile are coalesced into
 * the next one. A write failure is logged and retried with the next change or flush.
 */
export class Ledger {
  readonly file: string;
  private readonly bootId: string | null;
  private data: LedgerData;
  private dirty = false;
  private writing: Promise<void> | null = null;
  private lastError: string | null = null;
  private writes = 0;
  private begun = false;

  constructor(private readonly opts: LedgerOptions) {
    this.file = join(opts.dir, LEDGER_FILE);
    this.bootId = opts.bootId === undefined ? readBootId() : opts.bootId;
    this.data = emptyData(this.bootId);
  }

  /** Read the file of a previous run; a missing file is an empty ledger, a corrupt one is moved aside. */
  async load(): Promise<LoadResult> {
    const strayTempFiles = await this.removeStrayTempFiles();
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') {
        this.data = emptyData(this.bootId);
        return { status: 'missing', strayTempFiles };
      }
      throw err;
    }
    try {
      this.data = parseLedger(raw);
    } catch (err) {
      const movedTo = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, movedTo).catch(() => {});
      this.opts.log?.warn('ledger file is corrupt; moved aside and starting empty', {
        file: this.file,
        moved_to: movedTo,
        error: errorMessage(err),
      });
      this.data = emptyData(this.bootId);
      return { status: 'corrupt', movedTo, strayTempFiles };
    }
    // An unknown boot on either side cannot be shown to be this one: the entries are not trusted.
    if (this.bootId !== null && this.data.boot_id === this.bootId) return { status: 'loaded', strayTempFiles };
    return { status: 'loaded', strayTempFiles, otherBoot: this.dropOtherBoot() };
  }

  /** A ledger written before a reboot: its processes and PulseAudio modules are gone; sockets are re-probed as usual. */
  private dropOtherBoot(): NonNullable<LoadResult['otherBoot']> {
    const dropped = {
      boot_id: this.data.boot_id,
      processes: this.data.processes.length,
      pulse_modules: this.data.pulse_modules.length,
    };
    this.data = { ...this.data, boot_id: this.bootId, supervisor: null, processes: [], pulse_modules: [] };
    this.opts.log?.info?.(
      'ledger of another (or an unknown) boot: its process and module entries are dropped, nothing is signalled',
      { file: this.file, ...dropped },
    );
    this.changed();
    return dropped;
  }

  /** Start recording for a new supervisor run; entries of earlier runs that are still here stay. */
  beginRun(
    runId: string = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
    supervisor: ProcessIdentity | null = readIdentity(process.pid),
  ): string {
    this.data.run_id = runId;
    this.data.supervisor = supervisor;
    this.begun = true;
    this.changed();
    return runId;
  }

  get runId(): string | null {
    return this.data.run_id;
  }

  /** The run begun by this instance (beginRun), or null while only a loaded file is held. */
  get currentRunId(): string | null {
    return this.begun ? this.data.run_id : null;
  }

  /** The supervisor that wrote the loaded file (before beginRun) or this one (after). */
  get supervisor(): ProcessIdentity | null {
    return this.data.supervisor;
  }

  get processes(): readonly ProcessEntry[] {
    return this.data.processes;
  }

  get sockets(): readonly SocketEntry[] {
    return this.data.sockets;
  }

  get pulseModules(): readonly PulseModuleEntry[] {
    return this.data.pulse_modules;
  }

  snapshot(): LedgerData {
    return structuredClone(this.data);
  }

  counts(): { processes: number; sockets: number; pulse_modules: number } {
    return {
      processes: this.data.processes.length,
      sockets: this.data.sockets.length,
      pulse_modules: this.data.pulse_modules.length,
    };
  }

  stats(): { writes: number; last_error: string | null } {
    return { writes: this.writes, last_error: this.lastError };
  }

  recordProcess(
    entry: Omit<ProcessEntry, 'spawned_at' | 'run_id' | 'parent' | 'zone' | 'instance'> &
      Partial<Pick<ProcessEntry, 'spawned_at' | 'parent' | 'zone' | 'instance'>>,
  ): ProcessEntry {
    const full: ProcessEntry = {
      pid: entry.pid,
      starttime: entry.starttime,
      role: entry.role,
      zone: entry.zone ?? null,
      instance: entry.instance ?? null,
      spawned_at: entry.spawned_at ?? now(),
      parent: entry.parent ?? null,
      run_id: this.data.run_id ?? 'unknown',
    };
    // A PID seen again replaces its old entry: the old process cannot be alive any more.
    this.data.processes = [...this.data.processes.filter((p) => p.pid !== full.pid), full];
    this.changed();
    return full;
  }

  /** Forget a process; with a starttime, only that exact process (a reused PID's entry stays). */
  forgetProcess(pid: number, starttime?: number): boolean {
    const before = this.data.processes.length;
    this.data.processes = this.data.processes.filter(
      (p) => !(p.pid === pid && (starttime === undefined || p.starttime === starttime)),
    );
    if (this.data.processes.length === before) return false;
    this.changed();
    return true;
  }

  findProcess(pid: number): ProcessEntry | undefined {
    return this.data.processes.find((p) => p.pid === pid);
  }

  recordSocket(path: string): void {
    if (this.data.sockets.some((s) => s.path === path)) return;
    this.data.sockets = [...this.data.sockets, { path, created_at: now(), run_id: this.data.run_id ?? 'unknown' }];
    this.changed();
  }

  forgetSocket(path: string): boolean {
    const before = this.data.sockets.length;
    this.data.sockets = this.data.sockets.filter((s) => s.path !== path);
    if (this.data.sockets.length === before) return false;
    this.changed();
    return true;
  }

  recordPulseModule(m: { module_index: number; sink_name: string; tag: string }): void {
    this.data.pulse_modules = [
      ...this.data.pulse_modules.filter((p) => p.module_index !== m.module_index),
      { ...m, created_at: now(), run_id: this.data.run_id ?? 'unknown' },
    ];
    this.changed();
  }

  forgetPulseModule(moduleIndex: number): boolean {
    const before = this.data.pulse_modules.length;
    this.data.pulse_modules = this.data.pulse_modules.filter((p) => p.module_index !== moduleIndex);
    if (this.data.pulse_modules.length === before) return false;
    this.changed();
    return true;
  }

  /** Forget several entries with one write. */
  forgetMany(items: { processes?: ProcessIdentity[]; sockets?: string[] }): void {
    const procs = items.processes ?? [];
    const socks = new Set(items.sockets ?? []);
    const keep = (p: ProcessEntry) => !procs.some((q) => q.pid === p.pid && q.starttime === p.starttime);
    const before = this.data.processes.length + this.data.sockets.length;
    this.data.processes = this.data.processes.filter(keep);
    this.data.sockets = this.data.sockets.filter((s) => !socks.has(s.path));
    if (this.data.processes.length + this.data.sockets.length !== before) this.changed();
  }

  /**
   * Resolves once everything changed so far is on disk, or false after the bound (the write goes on
   * in the background and later changes still queue behind it: writes never overlap).
   */
  async flush(timeoutMs = this.opts.writeTimeoutMs ?? 5000): Promise<boolean> {
    if (this.dirty && !this.writing) this.writing = this.drain();
    const pending = this.writing;
    if (!pending) return this.lastError === null;
    const done = await settlesWithin(pending, timeoutMs);
    if (!done) this.opts.log?.warn('ledger write did not finish in time', { file: this.file, timeout_ms: timeoutMs });
    return done && this.lastError === null;
  }

  private changed(): void {
    this.data.updated_at = now();
    this.dirty = true;
    if (!this.writing) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const text = `${JSON.stringify(this.data, null, 1)}\n`;
        try {
          await writeFileAtomic(this.file, text, { beforeRename: this.opts.beforeRename });
          this.writes++;
          this.lastError = null;
        } catch (err) {
          this.lastError = errorMessage(err);
          this.opts.log?.warn('ledger write failed', { file: this.file, error: this.lastError });
          // Not retried in a loop: the next change or flush tries again.
          this.dirty = true;
          break;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** `ledger.json.<pid>.<n>.tmp` files of a write interrupted by a crash: never read, only removed. */
  private async removeStrayTempFiles(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.opts.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (isAtomicTempOf(LEDGER_FILE, name)) {
        await unlink(join(this.opts.dir, name)).then(
          () => removed++,
          () => {},
        );
      }
    }
    return removed;
  }
}
