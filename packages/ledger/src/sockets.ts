import { lstat, readdir, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '@mpvisor/sys';

/**
 * What a path is, as far as cleanup cares:
 * - live: a Unix socket that accepted a connection (someone serves it: never removed);
 * - stale: a Unix socket whose connect failed with ECONNREFUSED (nobody listens: safe to remove);
 * - missing: nothing there (ENOENT);
 * - not_socket: a regular file, folder, link... (never removed);
 * - unknown: any other answer (timeout, EAGAIN of a full backlog, EACCES...): kept, to be safe.
 */
export type SocketProbe =
  | { path: string; status: 'live' | 'stale' | 'missing' | 'not_socket' }
  | { path: string; status: 'unknown'; reason: string };

const DEFAULT_CONNECT_TIMEOUT_MS = 500;

export async function probeSocket(path: string, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<SocketProbe> {
  try {
    // lstat, not stat: a symlink to a socket is not ours to judge.
    const st = await lstat(path);
    if (!st.isSocket()) return { path, status: 'not_socket' };
  } catch (err) {
    const code = errorCode(err);
    return code === 'ENOENT' ? { path, status: 'missing' } : { path, status: 'unknown', reason: code ?? String(err) };
  }
  const answer = await new Promise<string>((resolve) => {
    const sock = connect({ path });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('ETIMEDOUT');
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve('connected');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(err.code ?? 'error');
    });
  });
  if (answer === 'connected') return { path, status: 'live' };
  if (answer === 'ECONNREFUSED') return { path, status: 'stale' };
  if (answer === 'ENOENT') return { path, status: 'missing' };
  return { path, status: 'unknown', reason: answer };
}

export type RemoveResult =
  | { path: string; removed: true }
  | { path: string; removed: false; status: SocketProbe['status']; reason: string };

/**
 * Remove a path only when it is a socket that refuses connections. Right before the unlink the path is
 * checked again (same inode, still a socket) so a server that bound it meanwhile keeps its file.
 */
export async function removeIfStale(path: string, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<RemoveResult> {
  let before: Stats | null;
  try {
    before = await lstat(path);
  } catch {
    before = null;
  }
  const probe = await probeSocket(path, timeoutMs);
  if (probe.status !== 'stale' || !before) {
    const reason =
      probe.status === 'live'
        ? 'live: connect succeeded'
        : probe.status === 'not_socket'
          ? 'not a socket'
          : probe.status === 'missing'
            ? 'missing'
            : `connect gave ${probe.status === 'unknown' ? probe.reason : 'no answer'}`;
    return { path, removed: false, status: probe.status, reason };
  }
  try {
    const now = await lstat(path);
    if (!now.isSocket() || now.ino !== before.ino || now.dev !== before.dev) {
      return { path, removed: false, status: 'unknown', reason: 'changed while probing' };
    }
    await unlink(path);
    return { path, removed: true };
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') return { path, removed: false, status: 'missing', reason: 'missing' };
    return { path, removed: false, status: 'unknown', reason: code ?? String(err) };
  }
}

/** ParadoxFX leftovers: its own sockets and the mpv IPC sockets it used to create. */
export const LEGACY_SOCKET_PATTERNS: readonly string[] = ['/tmp/pfx-*.sock', '/tmp/mpv-*.sock'];

/** `*` and `?` in the last path component only; no glob library, no recursion. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return (name) => re.test(name);
}

/** Paths matching the patterns: a pattern without wildcards is itself; one with them lists its folder. */
export async function expandPatterns(patterns: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const name = basename(pattern);
    const dir = dirname(pattern);
    if (/[*?]/.test(dir)) throw new Error(`wildcards are allowed in the file name only: ${pattern}`);
    if (!/[*?]/.test(name)) {
      out.add(pattern);
      continue;
    }
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    const match = nameMatcher(name);
    for (const n of names) if (match(n)) out.add(join(dir, n));
  }
  return [...out].sort();
}

export interface SweepReport {
  examined: number;
  removed: string[];
  kept_live: string[];
  kept_not_socket: string[];
  kept_unknown: Array<{ path: string; reason: string }>;
}

/**
 * Remove the stale sockets among the paths/patterns given (e.g. `${runDir}/*.sock` and
 * LEGACY_SOCKET_PATTERNS). A live socket and anything that is not a socket are never touched.
 */
export async function sweepStaleSockets(
  patterns: readonly string[],
  opts: { connectTimeoutMs?: number } = {},
): Promise<SweepReport> {
  const paths = await expandPatterns(patterns);
  const report: SweepReport = { examined: 0, removed: [], kept_live: [], kept_not_socket: [], kept_unknown: [] };
  for (const path of paths) {
    const r = await removeIfStale(path, opts.connectTimeoutMs);
    if (r.removed) {
      report.examined++;
      report.removed.push(path);
      continue;
    }
    if (r.status === 'missing') continue;
    report.examined++;
    if (r.status === 'live') report.kept_live.push(path);
    else if (r.status === 'not_socket') report.kept_not_socket.push(path);
    else report.kept_unknown.push({ path, reason: r.reason });
  }
  return report;
}
