import { readFile } from 'node:fs/promises';
import { writeFileAtomic, errorCode, errorMessage } from '@mpvisor/sys';
import { join } from 'node:path';
import type { Logger } from '@mpvisor/log';
import { formatIssues, savedZonesSchema, type SavedZones, type WorkerResume, type ZoneState } from '@mpvisor/protocol';

const DEBOUNCE_MS = 1000;

/** The media part of a zone snapshot that is worth resuming: background music and the zone volume. */
export function resumeOf(state: Partial<ZoneState>): WorkerResume {
  const out: WorkerResume = {};
  const bg = state.background;
  if (bg && bg.file && (bg.status === 'playing' || bg.status === 'paused')) {
    out.background = { file: bg.file, status: bg.status, loop: bg.loop, position_s: bg.position_s };
  }
  if (typeof state.volume === 'number') out.volume = state.volume;
  return out;
}

/**
 * Persists what each zone plays, so the next start resumes it. Writes are atomic (temp file, fsync,
 * rename): a power cut leaves the old file or the new one, never half of one. Changes are debounced;
 * a shutdown writes at once.
 */
export class ZoneStateStore {
  readonly file: string;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private last = '';
  private closed = false;

  constructor(
    stateDir: string,
    private readonly collect: () => Record<string, WorkerResume>,
    private readonly log: Logger,
  ) {
    this.file = join(stateDir, 'zones.json');
  }

  /** The saved zones, or an empty map when there is no file or it cannot be read (logged, never fatal). */
  async load(): Promise<Record<string, WorkerResume>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') this.log.warn(`cannot read ${this.file}: ${errorMessage(err)}`);
      return {};
    }
    try {
      const parsed = savedZonesSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`unknown layout: ${formatIssues(parsed.error)}`);
      return parsed.data.zones;
    } catch (err) {
      this.log.warn(`ignoring saved zone state in ${this.file}: ${errorMessage(err)}`);
      return {};
    }
  }

  /** Something changed: write within DEBOUNCE_MS, once for a burst of changes. */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save('change');
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Write now (cancelling a pending debounced write); resolves when the file is on disk. */
  async flush(reason = 'shutdown'): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.save(reason, true);
  }

  /** No more writes: what the workers report while they shut down must not overwrite the snapshot. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private save(reason: string, force = false): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.closed) return;
      const zones = this.collect();
      const key = JSON.stringify(zones);
      if (!force && key === this.last) return;
      const doc: SavedZones = { version: 1, saved_at: new Date().toISOString(), reason, zones };
      try {
        await writeFileAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`);
        this.last = key;
      } catch (err) {
        this.log.warn(`cannot save zone state to ${this.file}: ${errorMessage(err)}`);
      }
    });
    return this.writing;
  }
}
