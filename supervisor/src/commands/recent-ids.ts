interface Entry<T> {
  at: number;
  value: Promise<T>;
  bytes: number;
}

export interface RecentIdsLimits {
  windowMs: number;
  maxEntries: number;
  /** Keys plus the settled values as sizeOf measures them. */
  maxBytes: number;
}

/** What an entry is taken to weigh until its value settles. */
const PENDING_BYTES = 256;

/**
 * Command ids seen within a window, so a duplicate delivery (mqtt.js resends after reconnect without
 * DUP) is answered again rather than executed twice. Bounded in time, in count and in bytes: a flood
 * of large outcomes pushes the oldest out instead of growing the heap.
 */
export class RecentIds<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private totalBytes = 0;

  constructor(
    private readonly limits: RecentIdsLimits,
    private readonly sizeOf: (value: T) => number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): Promise<T> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.limits.windowMs) {
      this.remove(key, e);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: Promise<T>): void {
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    const e: Entry<T> = { at: this.now(), value, bytes: key.length + PENDING_BYTES };
    this.entries.set(key, e);
    this.totalBytes += e.bytes;
    this.evict();
    value.then(
      (v) => {
        if (this.entries.get(key) !== e) return;
        const bytes = key.length + this.sizeOf(v);
        this.totalBytes += bytes - e.bytes;
        e.bytes = bytes;
        this.evict();
      },
      () => {},
    );
  }

  private remove(key: string, e: Entry<T>): void {
    this.entries.delete(key);
    this.totalBytes -= e.bytes;
  }

  /** Maps iterate in insertion order: the first entries are the oldest. */
  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.totalBytes <= this.limits.maxBytes) return;
      this.remove(key, e);
    }
  }
}
