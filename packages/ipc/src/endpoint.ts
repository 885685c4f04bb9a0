// Builds one node-ipc instance per endpoint. node-ipc's default export is a process-wide singleton whose
// `of` table and server slot would be shared by every user in the process, so never use it.
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import path from 'node:path';
import { IPCModule } from 'node-ipc';
import { IpcError } from './errors.js';
import { MAX_MESSAGE_BYTES } from './limits.js';
import { errorCode } from '@mpvisor/sys';

/** node-ipc frames {type, data}; we carry every message under one event type and route on the data. */
export const MESSAGE_EVENT = 'mpvisor.msg';

export function createEndpoint(socketPath: string): IPCModule {
  const ipc = new IPCModule();
  const config = ipc.config;
  // node-ipc logs to stdout unless silenced; stdout may be journald or a JSON log stream.
  config.silent = true;
  config.logPayloads = false;
  // The guarded parser bounds frame size, pending writes and half-received frames; 'fast' bounds nothing.
  config.parser = 'guarded';
  config.maxMessageSize = MAX_MESSAGE_BYTES;
  // unlink=true would delete whatever socket is at the path before listening, even a live server's.
  // socket-file.ts decides instead (probe first, remove only a dead socket).
  config.unlink = false;
  // node-ipc only "secures" (mkdir + chmod 0700) a socketRoot that contains the path. Point it at our
  // own folder and turn securing off so it can never chmod a shared folder such as /tmp.
  config.socketRoot = path.dirname(socketPath) + path.sep;
  config.secureSocketRoot = false;
  // Reconnection is the caller's policy (the supervisor restarts workers; the CLI fails fast).
  // Defaults are retry every 500 ms forever; maxRetries 0 makes the first close final.
  config.maxRetries = 0;
  config.stopRetrying = true;
  return ipc;
}

/**
 * Writes through node-ipc's emit. Returns false when the connection is gone (or node-ipc's guard just
 * dropped it for exceeding maxPendingBytes); true means handed to the socket, even under backpressure.
 * Unserialisable or oversized messages are caller bugs and throw IPC_ENCODE instead of vanishing.
 */
export function writeFrame(socket: Socket | false, emit: () => boolean): boolean {
  if (!socket || socket.destroyed || !socket.writable) return false;
  try {
    emit();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new IpcError('IPC_ENCODE', `message not sent: ${reason}`, { cause: err });
  }
  return !socket.destroyed;
}

/**
 * Reports an error on an endpoint's 'error' event when someone listens. A peer resetting its
 * connection must not crash the supervisor through Node's unhandled-'error' rule, so unheard errors are
 * dropped (the matching 'disconnect' still tells the story).
 */
export function reportError(emitter: EventEmitter, err: unknown): void {
  // A reset or broken pipe is how an established connection ends abruptly: 'disconnect' covers it.
  const code = errorCode(err);
  if (code === 'ECONNRESET' || code === 'EPIPE') return;
  if (emitter.listenerCount('error') > 0) emitter.emit('error', err instanceof Error ? err : new Error(String(err)));
}

/**
 * Calls user listeners from inside node-ipc's parse loop. An exception escaping into that loop would
 * skip its buffer bookkeeping and replay the same frames on the next chunk, so rethrow it on a clean
 * stack instead: it still crashes loudly, like any throwing EventEmitter listener.
 */
export function callListener(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}
