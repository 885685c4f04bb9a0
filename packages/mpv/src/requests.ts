import { MpvAbortError, MpvClosedError, MpvTimeoutError } from './errors.js';

interface Pending {
  command: unknown;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

// mpv accepts 64-bit ids, but staying in int32 keeps every id exact on both sides.
const MAX_REQUEST_ID = 0x7fffffff;
// Ids of requests we gave up on: their late replies are expected, not protocol noise.
const ABANDONED_LIMIT = 1024;

/** In-flight requests by request_id, each with its own deadline and optional AbortSignal. */
export class RequestTable {
  readonly #pending = new Map<number, Pending>();
  readonly #abandoned = new Set<number>();
  #nextId = 1;

  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request; returns its id and the promise its reply (or failure) settles. */
  add<T>(command: unknown, timeoutMs: number, signal: AbortSignal | undefined): { id: number; reply: Promise<T> } {
    const id = this.#nextId;
    this.#nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    const reply = new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        command,
        resolve: resolve as (data: unknown) => void,
        reject,
        timer: setTimeout(() => this.#abandon(id, new MpvTimeoutError(command, timeoutMs)), timeoutMs),
        signal,
        onAbort: undefined,
      };
      if (signal) {
        pending.onAbort = () => this.#abandon(id, new MpvAbortError(command, signal.reason));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#pending.set(id, pending);
    });
    return { id, reply };
  }

  /**
   * Removes a request for its reply to settle it. 'late' means a reply to a request that already
   * timed out or was aborted; 'unknown' means no such request was ever made.
   */
  take(id: number): Pending | 'late' | 'unknown' {
    const pending = this.#pending.get(id);
    if (!pending) return this.#abandoned.delete(id) ? 'late' : 'unknown';
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }

  /** Rejects every pending request with MpvClosedError (the connection is gone). */
  closeAll(cause: Error | undefined): void {
    for (const id of [...this.#pending.keys()]) {
      const pending = this.take(id);
      if (typeof pending === 'object') pending.reject(new MpvClosedError(pending.command, cause));
    }
    this.#abandoned.clear();
  }

  #abandon(id: number, error: Error): void {
    const pending = this.take(id);
    if (typeof pending !== 'object') return;
    this.#abandoned.add(id);
    if (this.#abandoned.size > ABANDONED_LIMIT) {
      const oldest = this.#abandoned.values().next().value;
      if (oldest !== undefined) this.#abandoned.delete(oldest);
    }
    pending.reject(error);
  }
}
