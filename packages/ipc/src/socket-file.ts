// Owns the socket file's life on the filesystem: folder, stale-file cleanup, mode, removal.
// node-ipc's own cleanup (config.unlink) removes any socket at the path without asking whether a server
// still answers there, which would let a second supervisor silently steal the first one's socket.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { checkSocketPath, IpcError } from './errors.js';
import { errorCode } from '@mpvisor/sys';

const PROBE_TIMEOUT_MS = 1000;

type Probe = 'live' | 'dead' | 'absent';

/** Connects once to see whether anyone is accepting on the path. */
function probe(socketPath: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: socketPath });
    const timer = setTimeout(() => finish(() => resolve('live')), PROBE_TIMEOUT_MS);
    function finish(settle: () => void): void {
      clearTimeout(timer);
      sock.destroy();
      settle();
    }
    sock.once('connect', () => finish(() => resolve('live')));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      finish(() => {
        if (err.code === 'ECONNREFUSED') resolve('dead');
        else if (err.code === 'ENOENT') resolve('absent');
        // EAGAIN: backlog full, so someone is listening but slow.
        else if (err.code === 'EAGAIN') resolve('live');
        else if (err.code === 'EACCES' || err.code === 'EPERM')
          reject(new IpcError('IPC_PERMISSION', `cannot probe ${socketPath}`, { cause: err }));
        else reject(new IpcError('IPC_LISTEN_FAILED', `cannot probe ${socketPath}: ${err.code}`, { cause: err }));
      });
    });
  });
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
}

function ensureFolder(dir: string): void {
  if (fs.existsSync(dir)) return; // an existing folder's mode is the deployer's choice
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask
}

/**
 * Makes the path ready for bind(): folder present, nothing live there, a dead socket removed.
 * Rejects IPC_SOCKET_IN_USE for a live server and IPC_PATH_NOT_SOCKET for anything that is not a socket.
 */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  checkSocketPath(socketPath);
  ensureFolder(path.dirname(socketPath));
  const before = lstatOrNull(socketPath);
  if (!before) return;
  if (!before.isSocket()) {
    throw new IpcError('IPC_PATH_NOT_SOCKET', `${socketPath} exists and is not a socket; not removing it`);
  }
  const state = await probe(socketPath);
  if (state === 'live') {
    throw new IpcError('IPC_SOCKET_IN_USE', `a server is already listening on ${socketPath}`);
  }
  if (state === 'absent') return;
  // Re-check right before unlinking: the file may have been replaced while we probed.
  const now = lstatOrNull(socketPath);
  if (now && now.isSocket() && now.ino === before.ino && now.dev === before.dev) {
    fs.unlinkSync(socketPath);
  }
}

/** Restricts the bound socket to its owner (connect() needs write permission on the file). */
export function restrictSocket(socketPath: string): { dev: number; ino: number } {
  fs.chmodSync(socketPath, 0o600);
  const st = fs.lstatSync(socketPath);
  return { dev: st.dev, ino: st.ino };
}

/** Removes the socket file if it is still the one we bound (never someone else's replacement). */
export function removeOwnSocket(socketPath: string, identity: { dev: number; ino: number } | null): void {
  if (!identity) return;
  const st = lstatOrNull(socketPath);
  if (st && st.isSocket() && st.ino === identity.ino && st.dev === identity.dev) {
    try {
      fs.unlinkSync(socketPath);
    } catch {
      // already gone: close raced with libuv's own unlink
    }
  }
}
