// The client's table of outstanding requests and streams, keyed by req_id. Every timer and abort
// listener of an exchange is released on every way out (reply, timeout, abort, close), so a long-lived
// worker connection does not accumulate them.
import { IpcError } from './errors.js';

export interface ExchangeOptions {
  /** For request(): total wait. For stream(): longest silence between two messages. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Present for streams: receives every non-final message. */
  onPartial?: ((msg: unknown) => void) | undefined;
}

interface Entry {
  opts: ExchangeOptions;
  timer: NodeJS.Timeout;
  resolve: (msg: unknown) => void;
  reject: (err: Error) => void;
  onAbort: () => void;
}

export class Exchanges {
  private nextId = 1;
  private readonly table = new Map<number, Entry>();

  get size(): number {
    return this.table.size;
  }

  /** Reserves an id and registers the waiter; `send` runs after registration so no reply can be missed. */
  open(opts: ExchangeOptions, send: (reqId: number) => void): Promise<unknown> {
    // Wrap before 2^53: ids only need to be unique among outstanding requests.
    const id = this.nextId;
    this.nextId = this.nextId >= Number.MAX_SAFE_INTEGER ? 1 : this.nextId + 1;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(new IpcError('IPC_ABORTED', 'request aborted before it was sent', { cause: opts.signal.reason }));
        return;
      }
      const onAbort = (): void =>
        this.settle(id, new IpcError('IPC_ABORTED', `request ${id} aborted`, { cause: opts.signal?.reason }));
      const entry: Entry = { opts, timer: this.arm(id, opts.timeoutMs), resolve, reject, onAbort };
      this.table.set(id, entry);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        send(id);
      } catch (err) {
        this.settle(id, err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Routes a reply. Returns false when no exchange waits for it (late reply after a timeout). */
  deliver(replyTo: number, msg: unknown): boolean {
    const entry = this.table.get(replyTo);
    if (!entry) return false;
    const partial = entry.opts.onPartial;
    if (partial && !isFinal(msg)) {
      clearTimeout(entry.timer);
      entry.timer = this.arm(replyTo, entry.opts.timeoutMs);
      try {
        partial(msg);
      } catch (err) {
        this.settle(replyTo, err instanceof Error ? err : new Error(String(err)));
      }
      return true;
    }
    this.settle(replyTo, null, msg);
    return true;
  }

  /** Fails one exchange (e.g. its reply did not validate). */
  fail(replyTo: number, err: Error): boolean {
    if (!this.table.has(replyTo)) return false;
    this.settle(replyTo, err);
    return true;
  }

  failAll(err: Error): void {
    for (const id of [...this.table.keys()]) this.settle(id, err);
  }

  private arm(id: number, timeoutMs: number): NodeJS.Timeout {
    return setTimeout(
      () => this.settle(id, new IpcError('IPC_TIMEOUT', `no reply to request ${id} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  }

  private settle(id: number, err: Error | null, msg?: unknown): void {
    const entry = this.table.get(id);
    if (!entry) return;
    this.table.delete(id);
    clearTimeout(entry.timer);
    entry.opts.signal?.removeEventListener('abort', entry.onAbort);
    if (err) entry.reject(err);
    else entry.resolve(msg);
  }
}

function isFinal(msg: unknown): boolean {
  return typeof msg === 'object' && msg !== null && (msg as { final?: unknown }).final === true;
}
