// One coded error type for the whole channel, so callers branch on `code`, never on message text.

export type IpcErrorCode =
  | 'IPC_UNREACHABLE' // nobody listens: the path is missing or the socket is dead
  | 'IPC_PERMISSION' // the socket or its folder refuses us
  | 'IPC_TIMEOUT' // connect, request or stream went quiet for too long
  | 'IPC_CLOSED' // the connection ended while a request was pending, or send after close
  | 'IPC_ABORTED' // the caller's AbortSignal fired
  | 'IPC_INVALID' // a reply failed the injected parse()
  | 'IPC_ENCODE' // an outgoing message cannot be sent: not JSON-serialisable or over the size limit
  | 'IPC_SOCKET_IN_USE' // listen(): a live server already answers on the path
  | 'IPC_PATH_NOT_SOCKET' // listen(): something other than a socket sits at the path; left alone
  | 'IPC_PATH_TOO_LONG' // sun_path holds 107 bytes; Node 20 silently truncates longer paths
  | 'IPC_LISTEN_FAILED';

export class IpcError extends Error {
  override readonly name = 'IpcError';
  readonly code: IpcErrorCode;

  constructor(code: IpcErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isIpcError(err: unknown, code?: IpcErrorCode): err is IpcError {
  return err instanceof IpcError && (code === undefined || err.code === code);
}

/** Maps a connect-time errno to the code a caller can act on (retry later vs. fix permissions). */
export function connectError(err: NodeJS.ErrnoException, socketPath: string): IpcError {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return new IpcError('IPC_PERMISSION', `permission denied connecting to ${socketPath}`, { cause: err });
    case 'ETIMEDOUT':
      return new IpcError('IPC_TIMEOUT', `timed out connecting to ${socketPath}`, { cause: err });
    default:
      // ENOENT, ECONNREFUSED, EAGAIN (backlog full), ENOTSOCK...: nobody usable is listening.
      return new IpcError('IPC_UNREACHABLE', `cannot reach ${socketPath}: ${err.code ?? err.message}`, {
        cause: err,
      });
  }
}

/** sun_path is 108 bytes including the NUL; Node 20 truncates silently instead of failing. */
export const MAX_SOCKET_PATH_BYTES = 107;

export function checkSocketPath(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new IpcError(
      'IPC_PATH_TOO_LONG',
      `socket path is ${Buffer.byteLength(socketPath)} bytes, the limit is ${MAX_SOCKET_PATH_BYTES}: ${socketPath}`,
    );
  }
}
