// The one table of outstanding requests, used by the mpv JSON-IPC client and the supervisor<->worker
// channel: ids that wrap before they lose precision, a deadline and an optional AbortSignal per
// request, and every timer and listener released on every way out (reply, timeout, abort, close), so a
// long-lived connection accumulates nothing.

export interface RequestTableOptions<C> {
  /** The error a request fails with when its deadline passes. */
  timeoutError: (context: C, timeoutMs: number, id: number) => Error;
  /** The error a request fails with when its signal aborts (also when aborted before it is sent). */
  abortError: (context: C, reason: unknown, id: number) => Error;
  /** Largest id before wrapping to 1 (default 2^53 - 1): ids only need to be unique among those outstanding. */
  maxId?: number;
  /** How many timed-out or aborted ids to remember, so their late replies are told from unknown ones. */
  rememberAbandoned?: number;
}

export interface OpenOptions<C> {
  /** What the request was, handed back to the error factories and to whoever takes the reply. */
  context: C;
  /** For a plain request the total wait; with onPartial the longest silence between two messages. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Streams: receives each non-final message, which also re-arms the deadline. */
  onPartial?: ((msg: unknown) => void) | undefined;
}

/** A request taken out of the table for its reply to settle it. */
export interface TakenRequest<C> {
  context: C;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Entry<C> extends TakenRequest<C> {
  opts: OpenOptions<C>;
  timer: NodeJS.Timeout;
  onAbort: (() => void) | undefined;
}

export class RequestTable<C> {
  readonly #entries = new Map<number, Entry<C>>();
  readonly #abandoned = new Set<number>();
  readonly #opts: RequestTableOptions<C>;
  #nextId = 1;

  constructor(opts: RequestTableOptions<C>) {
    this.#opts = opts;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Reserves an id and registers the waiter; `send` runs after registration, so no reply can be missed. */
  open<T>(opts: OpenOptions<C>, send: (id: number) => void): Promise<T> {
    const id = this.#nextId;
    this.#nextId = id >= (this.#opts.maxId ?? Number.MAX_SAFE_INTEGER) ? 1 : id + 1;
    return new Promise<T>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(this.#opts.abortError(opts.context, opts.signal.reason, id));
        return;
      }
      const entry: Entry<C> = {
        context: opts.context,
        // Cast: Entries of every answer type share one table; each is settled with its own request's answer.
        resolve: resolve as (value: unknown) => void,
        reject,
        opts,
        timer: this.#arm(id, opts),
        onAbort: undefined,
      };
      if (opts.signal) {
        const signal = opts.signal;
        entry.onAbort = () => this.#abandon(id, this.#opts.abortError(opts.context, signal.reason, id));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#entries.set(id, entry);
      try {
        send(id);
      } catch (err) {
        this.fail(id, err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /**
   * Takes a request out of the table for its reply to settle it. 'late' is a reply to a request that
   * already timed out or was aborted; 'unknown' one to a request never made (or long forgotten).
   */
  take(id: number): TakenRequest<C> | 'late' | 'unknown' {
    const entry = this.#entries.get(id);
    if (!entry) return this.#abandoned.delete(id) ? 'late' : 'unknown';
    this.#release(id, entry);
    return entry;
  }

  /** Hands a non-final message to a stream's onPartial and re-arms its deadline; false if no stream waits. */
  partial(id: number, msg: unknown): boolean {
    const entry = this.#entries.get(id);
    if (!entry?.opts.onPartial) return false;
    clearTimeout(entry.timer);
    entry.timer = this.#arm(id, entry.opts);
    try {
      entry.opts.onPartial(msg);
    } catch (err) {
      this.fail(id, err instanceof Error ? err : new Error(String(err)));
    }
    return true;
  }

  /** Fails one outstanding request (e.g. its reply did not validate); false if none waits under that id. */
  fail(id: number, error: Error): boolean {
    const taken = this.take(id);
    if (typeof taken !== 'object') return false;
    taken.reject(error);
    return true;
  }

  /** Fails everything outstanding (the connection is gone) and forgets abandoned ids. */
  failAll(makeError: (context: C) => Error): void {
    for (const id of [...this.#entries.keys()]) {
      const taken = this.take(id);
      if (typeof taken === 'object') taken.reject(makeError(taken.context));
    }
    this.#abandoned.clear();
  }

  #arm(id: number, opts: OpenOptions<C>): NodeJS.Timeout {
    return setTimeout(
      () => this.#abandon(id, this.#opts.timeoutError(opts.context, opts.timeoutMs, id)),
      opts.timeoutMs,
    );
  }

  #release(id: number, entry: Entry<C>): void {
    this.#entries.delete(id);
    clearTimeout(entry.timer);
    if (entry.onAbort) entry.opts.signal?.removeEventListener('abort', entry.onAbort);
  }

  #abandon(id: number, error: Error): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#release(id, entry);
    this.#abandoned.add(id);
    if (this.#abandoned.size > (this.#opts.rememberAbandoned ?? 1024)) {
      const oldest = this.#abandoned.values().next().value;
      if (oldest !== undefined) this.#abandoned.delete(oldest);
    }
    entry.reject(error);
  }
}
