// One accepted connection as the server's user sees it: a numbered peer that can be sent to, asked,
// and answered. Wraps the net.Socket node-ipc hands out, which carries no identity of its own.
import type { Socket } from 'node:net';
import { Conversation, type Parse, type RequestOptions } from './conversation.js';
import { replyTo, type RequestFields } from './envelope.js';
import { IpcError } from './errors.js';

export interface IpcPeer<In = unknown, Out extends object = object> {
  /** Unique per server instance, in accept order, never reused. */
  readonly id: number;
  readonly connected: boolean;
  /** false when the peer is gone; throws IPC_ENCODE for unserialisable or oversized messages. */
  send(msg: Out): boolean;
  /** Answers a request: sends `{...body, reply_to: req.req_id}`. Add `final: true` to end a stream. */
  reply(req: RequestFields, body: Out): boolean;
  /** Asks the peer; resolves with its first message whose reply_to matches. */
  request<R = In>(msg: Out, opts?: RequestOptions): Promise<R>;
  /** Like request(), but partial answers go to onMessage until one carries `final: true`. */
  stream<R = In>(msg: Out, onMessage: (msg: In) => void, opts?: RequestOptions): Promise<R>;
  /** Ends the connection after pending writes flush (forced after a second). */
  close(): void;
}

const CLOSE_GRACE_MS = 1000;

export class PeerConnection<In, Out extends object> implements IpcPeer<In, Out> {
  readonly conversation: Conversation<In>;
  private open = true;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    /** The server's framed write for this socket (see writeFrame). */
    private readonly write: (msg: object) => boolean,
    parse: Parse<In>,
    requestTimeoutMs: number,
  ) {
    // Cast: The conversation only sends what the caller of request() gave it, which is an Out.
    this.conversation = new Conversation(parse, (msg) => this.send(msg as Out), requestTimeoutMs);
  }

  get connected(): boolean {
    return this.open && !this.socket.destroyed;
  }

  send(msg: Out): boolean {
    if (!this.open) return false;
    return this.write(msg);
  }

  reply(req: RequestFields, body: Out): boolean {
    return this.send(replyTo(req, body));
  }

  request<R = In>(msg: Out, opts?: RequestOptions): Promise<R> {
    return this.conversation.request<R>(msg, opts);
  }

  stream<R = In>(msg: Out, onMessage: (msg: In) => void, opts?: RequestOptions): Promise<R> {
    return this.conversation.stream<R>(msg, onMessage, opts);
  }

  close(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Called once by the server when the socket is gone. */
  markClosed(): void {
    if (!this.open) return;
    this.open = false;
    this.conversation.close(new IpcError('IPC_CLOSED', `peer ${this.id} disconnected`));
  }
}
