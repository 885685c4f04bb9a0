// A node-ipc server on one Unix socket path, with typed, validated messages and numbered peers.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { IPCModule, IpcSocketServer } from 'node-ipc';
import { DEFAULT_REQUEST_TIMEOUT_MS, type Parse } from './conversation.js';
import { callListener, createEndpoint, MESSAGE_EVENT, reportError, writeFrame } from './endpoint.js';
import { IpcError } from './errors.js';
import { PeerConnection, type IpcPeer } from './peer.js';
import { prepareSocketPath, removeOwnSocket, restrictSocket } from './socket-file.js';

export interface IpcServerOptions<In, Out extends object = object> {
  socketPath: string;
  /** Validation at the edge: an Error drops the message and calls onInvalid. */
  parse: Parse<In>;
  onInvalid?: (peer: IpcPeer<In, Out>, err: Error) => void;
  /** Default timeout of peer.request()/stream(). */
  requestTimeoutMs?: number;
}

export interface IpcServerEvents<In, Out extends object> {
  connection: [peer: IpcPeer<In, Out>];
  message: [peer: IpcPeer<In, Out>, msg: In];
  disconnect: [peer: IpcPeer<In, Out>];
  error: [err: Error];
}

const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

export class IpcServer<In, Out extends object = object> extends EventEmitter<IpcServerEvents<In, Out>> {
  private state: 'idle' | 'starting' | 'listening' | 'closing' | 'closed' = 'idle';
  private ipc: IPCModule | null = null;
  private identity: { dev: number; ino: number } | null = null;
  private nextPeerId = 1;
  private readonly peerBySocket = new Map<Socket, PeerConnection<In, Out>>();

  constructor(private readonly opts: IpcServerOptions<In, Out>) {
    super();
  }

  get socketPath(): string {
    return this.opts.socketPath;
  }

  get listening(): boolean {
    return this.state === 'listening';
  }

  /** Connected peers, in accept order. */
  get peers(): IpcPeer<In, Out>[] {
    return [...this.peerBySocket.values()];
  }

  async listen(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`IpcServer.listen() called while ${this.state}`);
    this.state = 'starting';
    const { socketPath } = this.opts;
    try {
      await prepareSocketPath(socketPath);
      const ipc = createEndpoint(socketPath);
      this.ipc = ipc;
      await new Promise<void>((resolve, reject) => {
        ipc.serve(socketPath, () => resolve());
        // Cast: node-ipc's typings lack the socket server it creates (node-ipc.d.ts describes what we use of it).
        const server = ipc.server as IpcSocketServer;
        server.on('error', (err: NodeJS.ErrnoException) => {
          if (this.state === 'starting') reject(listenError(err, socketPath));
          else reportError(this, err);
        });
        server.on('connect', (socket: Socket) => this.onConnect(socket, server));
        server.on('close', (socket: Socket) => this.onSocketClosed(socket));
        server.on(MESSAGE_EVENT, (data: unknown, socket: Socket) => this.onMessage(socket, data));
        server.start();
      });
      // node-ipc binds with the umask's mode (0755 under the usual 022, which already keeps other users
      // from connecting); narrow it to the owner as soon as the file exists.
      this.identity = restrictSocket(socketPath);
      this.state = 'listening';
    } catch (err) {
      this.stopEndpoint();
      this.state = 'idle';
      throw err;
    }
  }

  /** Sends to every connected peer; returns how many accepted the message. */
  broadcast(msg: Out): number {
    let sent = 0;
    for (const peer of this.peerBySocket.values()) if (peer.send(msg)) sent++;
    return sent;
  }

  /**
   * Stops accepting, lets peers finish (each gets a FIN after its queued writes, so a last message sent
   * before close() still arrives), then drops whoever is left once timeoutMs runs out.
   * Removes the socket file.
   */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.state !== 'listening') return;
    this.state = 'closing';
    const netServer = this.ipc?.server ? this.ipc.server.server : false;
    if (netServer && netServer.listening) {
      // net.Server emits 'close' once it stopped listening and its last connection ended.
      const drained = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        netServer.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      for (const socket of this.peerBySocket.keys()) socket.end();
      await drained;
    }
    // node-ipc's stop() destroys the sockets that did not end in time.
    this.stopEndpoint();
    for (const socket of [...this.peerBySocket.keys()]) this.onSocketClosed(socket);
    // libuv unlinks the path when the listener closes; this is for the case where it could not.
    removeOwnSocket(this.opts.socketPath, this.identity);
    this.identity = null;
    this.state = 'closed';
  }

  private stopEndpoint(): void {
    const server = this.ipc?.server;
    if (server) server.stop();
  }

  private onConnect(socket: Socket, server: IpcSocketServer): void {
    const peer = new PeerConnection<In, Out>(
      this.nextPeerId++,
      socket,
      (msg) => writeFrame(socket, () => server.emit(socket, MESSAGE_EVENT, msg)),
      this.opts.parse,
      this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    this.peerBySocket.set(socket, peer);
    callListener(() => this.emit('connection', peer));
  }

  private onSocketClosed(socket: Socket): void {
    const peer = this.peerBySocket.get(socket);
    if (!peer) return;
    this.peerBySocket.delete(socket);
    peer.markClosed();
    callListener(() => this.emit('disconnect', peer));
  }

  private onMessage(socket: Socket, raw: unknown): void {
    const peer = this.peerBySocket.get(socket);
    if (!peer) return; // data racing the close of a dropped peer
    const received = peer.conversation.receive(raw);
    if (received.kind === 'invalid') {
      const onInvalid = this.opts.onInvalid;
      if (onInvalid) callListener(() => onInvalid(peer, received.err));
    } else if (received.kind === 'message') {
      callListener(() => this.emit('message', peer, received.msg));
    }
  }
}

function listenError(err: NodeJS.ErrnoException, socketPath: string): IpcError {
  if (err.code === 'EADDRINUSE') {
    return new IpcError('IPC_SOCKET_IN_USE', `${socketPath} was taken while we prepared it`, { cause: err });
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new IpcError('IPC_PERMISSION', `cannot listen on ${socketPath}`, { cause: err });
  }
  return new IpcError('IPC_LISTEN_FAILED', `cannot listen on ${socketPath}: ${err.code ?? err.message}`, {
    cause: err,
  });
}
