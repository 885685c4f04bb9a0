// Hand-written declarations for the parts of node-ipc 14.0.0 this package uses.
// node-ipc ships no types and @types/node-ipc describes v9, whose API differs (singleton-only, other
// config keys). Keep this narrow: anything not declared here is deliberately unused.
declare module 'node-ipc' {
  import type { Server as NetServer, Socket } from 'node:net';

  type Handler = (...args: any[]) => void;

  /** event-pubsub 6: synchronous dispatch, no special 'error' semantics (never throws when unheard). */
  interface PubSub {
    on(type: string, handler: Handler): this;
    once(type: string, handler: Handler): this;
    off(type?: string, handler?: Handler | '*'): this;
  }

  export interface IpcConfig {
    socketRoot: string;
    appspace: string;
    id: string;
    encoding: BufferEncoding;
    parser: 'fast' | 'guarded' | 'raw' | 'assured';
    silent: boolean;
    unlink: boolean;
    secureSocketRoot: boolean;
    readableAll: boolean;
    writableAll: boolean;
    maxRetries: number;
    stopRetrying: boolean;
    retry: number;
    maxConnections: number;
    maxMessageSize: number;
    maxPendingBytes: number;
    messageTimeout: number;
    logPayloads: boolean;
  }

  /** dao/socketServer.js */
  export interface IpcSocketServer extends PubSub {
    /** The underlying net.Server once start() ran (false before). */
    server: NetServer | false;
    sockets: Socket[];
    start(): void;
    /** Destroys every socket and calls server.close() without waiting. */
    stop(): void;
    /** Encodes {type, data} and writes it; false on backpressure or when the guard destroyed the socket. */
    emit(socket: Socket, type: string, data: unknown): boolean;
  }

  /** dao/client.js */
  export interface IpcSocketClient extends PubSub {
    socket: Socket | false;
    path: string;
    explicitlyDisconnected: boolean;
    emit(type: string, data: unknown): boolean;
  }

  export class IPCModule {
    config: IpcConfig;
    of: Record<string, IpcSocketClient | undefined>;
    server: IpcSocketServer | false;
    serve(path: string, callback?: () => void): void;
    connectTo(id: string, path: string, callback?: () => void): void;
    disconnect(id: string): void;
  }

  export class IPCProtocolError extends Error {
    code: string;
  }

  const singleton: IPCModule;
  export default singleton;
}
