import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { RequestTable } from '@mpvisor/sys';
import { MpvAbortError, MpvClosedError, MpvCommandError, MpvTimeoutError } from './errors.js';
import { LineSplitter } from './framing.js';
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

const NAMED_EVENTS: ReadonlySet<string> = new Set<MpvNamedEvent>([
  'end-file',
  'file-loaded',
  'playback-restart',
  'start-file',
  'seek',
  'shutdown',
  'property-change',
]);

/** JSON-IPC client for one mpv connection over any Duplex (a socketpair end, a socket, a test fake). */
export class MpvClient extends EventEmitter<MpvClientEvents> {
  readonly #stream: Duplex;
  readonly #defaultTimeoutMs: number;
  readonly #onWarning: MpvClientOptions['onProtocolWarning'];
  readonly #lines: LineSplitter;
  readonly #requests = new RequestTable<unknown>({
    timeoutError: (command, timeoutMs) => new MpvTimeoutError(command, timeoutMs),
    abortError: (command, reason) => new MpvAbortError(command, reason),
    // mpv accepts 64-bit ids, but staying in int32 keeps every id exact on both sides.
    maxId: 0x7fffffff,
  });
  readonly #observers = new Map<number, MpvPropertyHandler<never>>();
  #nextObserveId = 1;
  #closed = false;
  #malformed = 0;
  #dropped = 0;
  #unmatched = 0;

  constructor(stream: Duplex, options: MpvClientOptions = {}) {
    super();
    this.#stream = stream;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 2000;
    this.#onWarning = options.onProtocolWarning;
    this.#lines = new LineSplitter(options.maxLineLength ?? 1024 * 1024, (length) => {
      this.#dropped++;
      this.#onWarning?.('line-too-long', `dropped a line of over ${length} characters`);
    });
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
      pendingRequests: this.#requests.size,
    };
  }

  /** Sends a command (positional array, or mpv's named-argument object) and resolves with its `data`. */
  command<T = unknown>(args: unknown[] | Record<string, unknown>, opts: MpvRequestOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new MpvClosedError(args));
    let json: string | undefined;
    try {
      json = JSON.stringify(args); // serialized before an id is taken: BigInt or cycles throw here
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (json === undefined) return Promise.reject(new TypeError('mpv command is not JSON-serializable'));
    return this.#requests.open<T>(
      { context: args, timeoutMs: opts.timeoutMs ?? this.#defaultTimeoutMs, signal: opts.signal },
      (id) => void this.#stream.write(`{"command":${json},"request_id":${id}}\n`),
    );
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
    // Cast: The map holds handlers of every property type; each is called only with its own property's data.
    this.#observers.set(id, handler as MpvPropertyHandler<never>);
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
      // get_property runs on mpv's core thread, so a blocked core fails the probe too.
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

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests.failAll((command) => new MpvClosedError(command, error));
    this.#observers.clear();
    this.#lines.reset();
    this.#stream.destroy();
    this.emit('close', error ? { error } : {});
  }

  #onData(chunk: Buffer | string): void {
    if (this.#closed) return;
    for (const line of this.#lines.push(chunk)) {
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
    // Cast: an object, checked just above; each field is checked before use.
    const record = message as Record<string, unknown>;
    if (typeof record.event === 'string') this.#handleEvent(record as MpvEvent);
    else this.#handleReply(record, line);
  }

  #handleReply(reply: Record<string, unknown>, line: string): void {
    const pending = typeof reply.request_id === 'number' ? this.#requests.take(reply.request_id) : 'unknown';
    if (pending === 'late') return;
    if (pending === 'unknown') {
      this.#unmatched++;
      this.#onWarning?.('unmatched-reply', line.slice(0, 200));
      return;
    }
    const error = reply.error;
    if (error === 'success') pending.resolve(reply.data);
    else pending.reject(new MpvCommandError(pending.context, typeof error === 'string' ? error : String(error)));
  }

  #handleEvent(event: MpvEvent): void {
    if (event.event === 'property-change') {
      // Cast: mpv sends property-change events with id, name and data.
      const change = event as MpvPropertyChangeEvent;
      this.#observers.get(change.id)?.(change.data as never, change.name);
    }
    if (NAMED_EVENTS.has(event.event)) {
      // Cast: the map types each event's payload; mpv is trusted to send matching fields.
      (this.emit as (name: string, payload: MpvEvent) => boolean)(event.event, event);
    }
    this.emit('event', event);
  }
}
