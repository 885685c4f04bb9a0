import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { MpvAbortError, MpvClosedError, MpvCommandError, MpvTimeoutError } from './errors.js';
import type {
  MpvClientEvents,
  MpvEvent,
  MpvLoadfileMode,
  MpvNamedEvent,
  MpvPropertyChangeEvent,
  MpvPropertyHandler,
  MpvProtocolWarning,
  MpvRequestOptions,
} from './types.js';

export interface MpvClientOptions {
  /** Reply deadline for requests that set none (default 2000 ms). */
  defaultTimeoutMs?: number;
  /** Longest line accepted from mpv, in characters (default 1 MiB); longer lines are dropped. */
  maxLineLength?: number;
  /** Lines from mpv that could not be used; never thrown, never emitted as 'error'. */
  onProtocolWarning?: (kind: MpvProtocolWarning, detail: string) => void;
}

export interface MpvClientStats {
  malformedLines: number;
  droppedLongLines: number;
  unmatchedReplies: number;
  pendingRequests: number;
}

interface Pending {
  command: unknown;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const NAMED_EVENTS: ReadonlySet<string> = new Set<MpvNamedEvent>([
  'end-file', 'file-loaded', 'playback-restart', 'start-file', 'seek', 'shutdown', 'property-change',
]);
// Ids of requests we gave up on: their late replies are expected, not protocol noise.
const ABANDONED_LIMIT = 1024;
// mpv accepts 64-bit ids, but staying in int32 keeps every id exact on both sides.
const MAX_REQUEST_ID = 0x7fffffff;

/** JSON-IPC client for one mpv connection over any Duplex (a socketpair end, a socket, a test fake). */
export class MpvClient extends EventEmitter<MpvClientEvents> {
  readonly #stream: Duplex;
  readonly #defaultTimeoutMs: number;
  readonly #maxLineLength: number;
  readonly #onWarning: MpvClientOptions['onProtocolWarning'];
  readonly #decoder = new StringDecoder('utf8');
  readonly #pending = new Map<number, Pending>();
  readonly #abandoned = new Set<number>();
  readonly #observers = new Map<number, { name: string; handler: MpvPropertyHandler<never> }>();
  #nextRequestId = 1;
  #nextObserveId = 1;
  #buffer = '';
  #discarding = false;
  #closed = false;
  #malformed = 0;
  #dropped = 0;
  #unmatched = 0;

  constructor(stream: Duplex, options: MpvClientOptions = {}) {
    super();
    this.#stream = stream;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 2000;
    this.#maxLineLength = options.maxLineLength ?? 1024 * 1024;
    this.#onWarning = options.onProtocolWarning;
    stream.on('data', (chunk: Buffer | string) => this.#onData(chunk));
    stream.on('end', () => this.#shutdown(undefined));
    stream.on('close', () => this.#shutdown(undefined));
    // Stays attached after shutdown: a destroyed socket may still report EPIPE later.
    stream.on('error', (error: Error) => this.#shutdown(error));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): MpvClientStats {
    return {
      malformedLines: this.#malformed,
      droppedLongLines: this.#dropped,
      unmatchedReplies: this.#unmatched,
      pendingRequests: this.#pending.size,
    };
  }

  /** Sends a command (positional array, or mpv's named-argument object) and resolves with its `data`. */
  command<T = unknown>(args: unknown[] | Record<string, unknown>, opts: MpvRequestOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new MpvClosedError(args));
    if (opts.signal?.aborted) return Promise.reject(new MpvAbortError(args, opts.signal.reason));
    const id = this.#nextRequestId;
    this.#nextRequestId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    let line: string;
    try {
      line = JSON.stringify({ command: args, request_id: id }) + '\n';
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.#defaultTimeoutMs;
      const pending: Pending = {
        command: args,
        resolve: resolve as (data: unknown) => void,
        reject,
        timer: setTimeout(() => this.#abandon(id, new MpvTimeoutError(args, timeoutMs)), timeoutMs),
        signal: opts.signal,
        onAbort: undefined,
      };
      if (opts.signal) {
        const signal = opts.signal;
        pending.onAbort = () => this.#abandon(id, new MpvAbortError(args, signal.reason));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#pending.set(id, pending);
      this.#stream.write(line);
    });
  }

  getProperty<T = unknown>(name: string, opts?: MpvRequestOptions): Promise<T> {
    return this.command<T>(['get_property', name], opts);
  }

  async setProperty(name: string, value: unknown, opts?: MpvRequestOptions): Promise<void> {
    await this.command(['set_property', name, value], opts);
  }

  /**
   * Observes a property; the handler gets every value mpv reports (undefined while unavailable),
   * starting with the current one. Resolves with the id for unobserveProperty.
   */
  async observeProperty<T = unknown>(
    name: string,
    handler: MpvPropertyHandler<T>,
    opts?: MpvRequestOptions,
  ): Promise<number> {
    const id = this.#nextObserveId++;
    // Registered before sending: the first property-change can arrive right behind the reply.
    this.#observers.set(id, { name, handler: handler as MpvPropertyHandler<never> });
    try {
      await this.command(['observe_property', id, name], opts);
    } catch (error) {
      this.#observers.delete(id);
      throw error;
    }
    return id;
  }

  async unobserveProperty(id: number, opts?: MpvRequestOptions): Promise<void> {
    // Dropped first so no value reaches the handler after the caller asked to stop.
    this.#observers.delete(id);
    await this.command(['unobserve_property', id], opts);
  }

  /** Liveness check: true if mpv answers a cheap request (even with an error) within timeoutMs. */
  async probe(timeoutMs: number): Promise<boolean> {
    try {
      await this.command(['get_property', 'pid'], { timeoutMs });
      return true;
    } catch (error) {
      return error instanceof MpvCommandError;
    }
  }

  /**
   * Loads a file; resolves with its playlist entry id (matches end-file's playlist_entry_id).
   * Success only means "queued": a missing file is reported later by end-file with reason 'error'.
   */
  async loadfile(
    url: string,
    mode: MpvLoadfileMode = 'replace',
    options?: Record<string, string>,
    opts?: MpvRequestOptions,
  ): Promise<number | undefined> {
    // Named arguments: the positional form changed in mpv 0.38 (an index was inserted before
    // options), and a map needs no escaping of commas in option values.
    const args: Record<string, unknown> = { name: 'loadfile', url, flags: mode };
    if (options && Object.keys(options).length > 0) args.options = options;
    const data = await this.command<{ playlist_entry_id?: number } | null>(args, opts);
    return typeof data?.playlist_entry_id === 'number' ? data.playlist_entry_id : undefined;
  }

  /** Closes the connection; pending requests reject with MpvClosedError. An fd://3 mpv then quits. */
  close(): void {
    this.#shutdown(undefined);
  }

  #abandon(id: number, error: Error): void {
    const pending = this.#take(id);
    if (!pending) return;
    this.#abandoned.add(id);
    if (this.#abandoned.size > ABANDONED_LIMIT) {
      const oldest = this.#abandoned.values().next().value;
      if (oldest !== undefined) this.#abandoned.delete(oldest);
    }
    pending.reject(error);
  }

  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) {
      const pending = this.#take(id);
      pending?.reject(new MpvClosedError(pending.command, error));
    }
    this.#observers.clear();
    this.#abandoned.clear();
    this.#buffer = '';
    this.#stream.destroy();
    this.emit('close', error ? { error } : {});
  }

  #onData(chunk: Buffer | string): void {
    if (this.#closed) return;
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.#discarding) {
        this.#discarding = false; // this newline ends the over-long line
        continue;
      }
      const line = this.#buffer + piece;
      this.#buffer = '';
      if (line.length > this.#maxLineLength) this.#dropLongLine(line.length);
      else lines.push(line);
    }
    if (!this.#discarding) {
      this.#buffer += text.slice(start);
      if (this.#buffer.length > this.#maxLineLength) {
        const length = this.#buffer.length;
        this.#buffer = '';
        this.#discarding = true;
        this.#dropLongLine(length);
      }
    }
    for (const line of lines) {
      if (this.#closed) break; // a listener closed us mid-chunk
      try {
        this.#handleLine(line);
      } catch (error) {
        // A throwing listener must not cost us the other lines of this chunk (replies would be
        // lost and their requests time out); rethrow it outside our parse loop instead.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  #dropLongLine(length: number): void {
    this.#dropped++;
    this.#onWarning?.('line-too-long', `dropped a line of over ${length} characters`);
  }

  #handleLine(line: string): void {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.#malformed++;
      this.#onWarning?.('malformed-json', line.slice(0, 200));
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.#malformed++;
      this.#onWarning?.('not-an-object', line.slice(0, 200));
      return;
    }
    const record = message as Record<string, unknown>;
    if (typeof record.event === 'string') this.#handleEvent(record as MpvEvent);
    else this.#handleReply(record, line);
  }

  #handleReply(reply: Record<string, unknown>, line: string): void {
    const id = reply.request_id;
    const pending = typeof id === 'number' ? this.#take(id) : undefined;
    if (!pending) {
      if (typeof id === 'number' && this.#abandoned.delete(id)) return;
      this.#unmatched++;
      this.#onWarning?.('unmatched-reply', line.slice(0, 200));
      return;
    }
    const error = reply.error;
    if (error === 'success') pending.resolve(reply.data);
    else pending.reject(new MpvCommandError(pending.command, typeof error === 'string' ? error : String(error)));
  }

  #handleEvent(event: MpvEvent): void {
    if (event.event === 'property-change') {
      const change = event as MpvPropertyChangeEvent;
      const observer = this.#observers.get(change.id);
      observer?.handler(change.data as never, change.name);
    }
    if (NAMED_EVENTS.has(event.event)) {
      // Cast: the map types each event's payload, mpv is trusted to send matching fields.
      (this.emit as (name: string, payload: MpvEvent) => boolean)(event.event, event);
    }
    this.emit('event', event);
  }
}
