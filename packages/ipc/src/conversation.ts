// The request/stream machinery shared by both ends of a connection (client -> server and server -> peer),
// so the supervisor can ask a worker exactly the way the CLI asks the supervisor.
import { IpcError } from './errors.js';
import { RequestTable } from '@mpvisor/sys';
import { replyToOf } from './envelope.js';

export type Parse<In> = (raw: unknown) => In | Error;

export interface RequestOptions {
  /** request(): total wait; stream(): longest silence between two messages. Default: the endpoint's. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type Received<In> =
  | { kind: 'message'; msg: In }
  | { kind: 'consumed' } // a reply that settled or fed one of our exchanges
  | { kind: 'invalid'; err: Error };

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Runs the injected parse; a throwing parse counts as an invalid message, not a crash. */
export function runParse<In>(parse: Parse<In>, raw: unknown): In | Error {
  try {
    return parse(raw);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

export class Conversation<In> {
  private readonly exchanges = new RequestTable<undefined>({
    timeoutError: (_c, timeoutMs, id) =>
      new IpcError('IPC_TIMEOUT', `no reply to request ${id} within ${timeoutMs} ms`),
    abortError: (_c, reason, id) => new IpcError('IPC_ABORTED', `request ${id} aborted`, { cause: reason }),
  });

  constructor(
    private readonly parse: Parse<In>,
    private readonly write: (msg: object) => boolean,
    private readonly defaultTimeoutMs: number,
  ) {}

  request<R>(msg: object, opts: RequestOptions = {}): Promise<R> {
    return this.exchanges.open<R>(
      { context: undefined, timeoutMs: opts.timeoutMs ?? this.defaultTimeoutMs, signal: opts.signal },
      (reqId) => this.send(msg, reqId),
    );
  }

  stream<R>(msg: object, onMessage: (msg: In) => void, opts: RequestOptions = {}): Promise<R> {
    return this.exchanges.open<R>(
      {
        context: undefined,
        timeoutMs: opts.timeoutMs ?? this.defaultTimeoutMs,
        signal: opts.signal,
        // Cast: A stream's partial replies are the same message type as its final one; the table is not generic over it.
        onPartial: onMessage as (msg: unknown) => void,
      },
      (reqId) => this.send(msg, reqId),
    );
  }

  /** Validates an incoming message, then settles the exchange it answers, if any. */
  receive(raw: unknown): Received<In> {
    const parsed = runParse(this.parse, raw);
    const replyTo = replyToOf(raw);
    if (parsed instanceof Error) {
      // An invalid answer fails its request at once instead of letting it run into the timeout.
      if (replyTo !== undefined) {
        const err = new IpcError('IPC_INVALID', `reply to request ${replyTo} failed validation: ${parsed.message}`, {
          cause: parsed,
        });
        if (this.exchanges.fail(replyTo, err)) return { kind: 'consumed' };
      }
      return { kind: 'invalid', err: parsed };
    }
    // Replies nobody waits for any more (late, after a timeout) surface as ordinary messages.
    if (replyTo !== undefined && this.deliver(replyTo, parsed)) return { kind: 'consumed' };
    return { kind: 'message', msg: parsed };
  }

  /** Rejects everything outstanding; called once when the connection ends. */
  close(err: IpcError): void {
    this.exchanges.failAll(() => err);
  }

  get pending(): number {
    return this.exchanges.size;
  }

  /** Settles the exchange a reply answers; streams take every non-final message as a partial. */
  private deliver(replyTo: number, msg: unknown): boolean {
    if (!isFinal(msg) && this.exchanges.partial(replyTo, msg)) return true;
    const taken = this.exchanges.take(replyTo);
    if (typeof taken !== 'object') return false;
    taken.resolve(msg);
    return true;
  }

  private send(msg: object, reqId: number): void {
    if (!this.write({ ...msg, req_id: reqId })) {
      throw new IpcError('IPC_CLOSED', 'connection is closed; request not sent');
    }
  }
}

function isFinal(msg: unknown): boolean {
  return typeof msg === 'object' && msg !== null && 'final' in msg && msg.final === true;
}
