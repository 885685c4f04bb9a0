// A node-ipc client for one Unix socket path that connects once, fails fast, and never reconnects on
// its own: node-ipc retries every 500 ms forever by default, which would hide a dead supervisor from
// the CLI and a dead worker's parent from the worker. Reconnection is the caller's decision.
import { EventEmitter } from 'node:events';
import type { IPCModule, IpcSocketClient } from 'node-ipc';
import { Conversation, DEFAULT_REQUEST_TIMEOUT_MS, type Parse, type RequestOptions } from './conversation.js';
import { callListener, createEndpoint, MESSAGE_EVENT, reportError, writeFrame } from './endpoint.js';
import { checkSocketPath, connectError, IpcError } from './errors.js';

export interface IpcClientOptions<In> {
  socketPath: string;
  /** Validation at the edge: an Error drops the message (or fails the request it answers). */
  parse: Parse<In>;
  onInvalid?: (err: Error) => void;
  /** Bound on the connect attempt. Default 2000. */
  timeoutMs?: number;
  /** Default timeout of request()/stream(). Default 5000. */
  requestTimeoutMs?: number;
}

export interface IpcClientEvents<In> {
  message: [msg: In];
  disconnect: [];
  error: [err: Error];
}

const SERVICE_ID = 'server';
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
const CLOSE_GRACE_MS = 1000;

export class IpcClient<In, Out extends object = object> extends EventEmitter<IpcClientEvents<In>> {
  private readonly conversation: Conversation<In>;
  private open = true;

  /** Rejects IPC_UNREACHABLE (nobody listening), IPC_PERMISSION, IPC_TIMEOUT or IPC_PATH_TOO_LONG. */
  static async connect<In, Out extends object = object>(opts: IpcClientOptions<In>): Promise<IpcClient<In, Out>> {
    checkSocketPath(opts.socketPath);
    const ipc = createEndpoint(opts.socketPath);
    const conn = await connectOnce(ipc, opts.socketPath, opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    return new IpcClient<In, Out>(ipc, conn, opts);
  }

  private constructor(
    private readonly ipc: IPCModule,
    private readonly conn: IpcSocketClient,
    private readonly opts: IpcClientOptions<In>,
  ) {
    super();
    this.conversation = new Conversation(
      opts.parse,
      // Cast: The conversation only sends what the caller of request() gave it, which is an Out.
      (msg) => this.send(msg as Out),
      opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    conn.on(MESSAGE_EVENT, (data: unknown) => this.onMessage(data));
    conn.on('error', (err: Error) => reportError(this, err));
    // With maxRetries 0 node-ipc publishes 'disconnect' once, when the socket closes for good.
    conn.on('disconnect', () => this.markClosed());
  }

  get connected(): boolean {
    return this.open && this.conn.socket !== false && !this.conn.socket.destroyed;
  }

  /** false once disconnected; throws IPC_ENCODE for unserialisable or oversized messages. */
  send(msg: Out): boolean {
    if (!this.open) return false;
    return writeFrame(this.conn.socket, () => this.conn.emit(MESSAGE_EVENT, msg));
  }

  /**
   * Adds a numeric req_id and resolves with the first message whose reply_to matches.
   * Rejects IPC_TIMEOUT, IPC_CLOSED (disconnect), IPC_ABORTED or IPC_INVALID (reply failed parse).
   */
  request<R = In>(msg: Out, opts?: RequestOptions): Promise<R> {
    return this.conversation.request<R>(msg, opts);
  }

  /**
   * For answers that come in several messages with the same reply_to: each non-final one goes to
   * onMessage; resolves with the one carrying `final: true`. The timeout restarts on every message.
   */
  stream<R = In>(msg: Out, onMessage: (msg: In) => void, opts?: RequestOptions): Promise<R> {
    return this.conversation.stream<R>(msg, onMessage, opts);
  }

  /** Rejects pending requests (IPC_CLOSED), flushes queued writes, then closes (forced after 1 s). */
  close(): void {
    if (!this.open) return;
    this.conn.explicitlyDisconnected = true;
    this.markClosed();
    const socket = this.conn.socket;
    if (socket && !socket.destroyed) socket.end();
    setTimeout(() => this.ipc.disconnect(SERVICE_ID), CLOSE_GRACE_MS).unref();
  }

  private markClosed(): void {
    if (!this.open) return;
    this.open = false;
    this.conversation.close(new IpcError('IPC_CLOSED', `connection to ${this.opts.socketPath} closed`));
    callListener(() => this.emit('disconnect'));
  }

  private onMessage(raw: unknown): void {
    if (!this.open) return; // close() already reported 'disconnect'; stragglers must not follow it
    const received = this.conversation.receive(raw);
    if (received.kind === 'invalid') {
      const onInvalid = this.opts.onInvalid;
      if (onInvalid) callListener(() => onInvalid(received.err));
    } else if (received.kind === 'message') {
      callListener(() => this.emit('message', received.msg));
    }
  }
}

/** One bounded connect attempt through node-ipc. */
function connectOnce(ipc: IPCModule, socketPath: string, timeoutMs: number): Promise<IpcSocketClient> {
  return new Promise((resolve, reject) => {
    ipc.connectTo(SERVICE_ID, socketPath);
    const conn = ipc.of[SERVICE_ID];
    if (!conn) return reject(new IpcError('IPC_UNREACHABLE', `node-ipc did not create a client for ${socketPath}`));
    let lastError: NodeJS.ErrnoException | null = null;
    const onError = (err: NodeJS.ErrnoException): void => {
      lastError = err;
    };
    const onConnect = (): void => done(null);
    // 'destroy' follows the failed attempt's 'close'; maxRetries 0 means no second attempt.
    const onDestroy = (): void =>
      done(
        lastError ? connectError(lastError, socketPath) : new IpcError('IPC_UNREACHABLE', `cannot reach ${socketPath}`),
      );
    const timer = setTimeout(
      () => done(new IpcError('IPC_TIMEOUT', `no connection to ${socketPath} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function done(err: IpcError | null): void {
      clearTimeout(timer);
      conn!.off('error', onError).off('connect', onConnect).off('destroy', onDestroy);
      if (!err) {
        resolve(conn!);
        return;
      }
      ipc.disconnect(SERVICE_ID);
      reject(err);
    }
    conn.on('error', onError).on('connect', onConnect).on('destroy', onDestroy);
  });
}
