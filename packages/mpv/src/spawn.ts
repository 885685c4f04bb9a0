import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Duplex, Readable } from 'node:stream';
import { buildMpvArgs, MPV_IPC_FD, type MpvArgsOptions } from './args.js';
import { MpvClient, type MpvClientOptions } from './client.js';
import { mpvEnvironment } from './environment.js';
import { MpvAbortError, MpvClosedError, MpvError, MpvStartError } from './errors.js';
import { settlesWithin, errorCode, errorMessage } from '@mpvisor/sys';

export interface SpawnMpvOptions extends MpvArgsOptions {
  /** Executable (default 'mpv', looked up in PATH). */
  mpvPath?: string;
  /** Filtered through an allow-list (environment.ts) before mpv sees it. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /**
   * Every line mpv prints. mpv 0.35 writes its warnings and errors to stdout (stderr carries only
   * the status line, which the default --msg-level suppresses), so both streams arrive here.
   */
  onStderrLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Deadline for the first IPC reply, from spawn (default 5000 ms). */
  readyTimeoutMs?: number;
  /** Aborting kills mpv with SIGKILL, during startup (spawnMpv rejects) or at any time later. */
  signal?: AbortSignal;
  clientOptions?: MpvClientOptions;
}

export interface MpvExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface MpvProcess {
  readonly pid: number;
  readonly role: string;
  readonly args: readonly string[];
  readonly client: MpvClient;
  /** Resolves (never rejects) when the process has exited. */
  readonly exited: Promise<MpvExit>;
  /** Sends a signal (default SIGTERM) unless mpv has already exited. */
  kill(signal?: NodeJS.Signals): void;
  /** quit command, then SIGTERM, then SIGKILL, waiting up to timeoutMs (default 2000) for exit after each. */
  stop(timeoutMs?: number): Promise<void>;
}

const TAIL_LINES = 40;
const TAIL_LINE_CHARS = 500;

/** Spawns mpv with JSON IPC on an inherited socketpair; resolves once it answers a first request. */
export async function spawnMpv(opts: SpawnMpvOptions): Promise<MpvProcess> {
  const mpvPath = opts.mpvPath ?? 'mpv';
  const readyTimeoutMs = opts.readyTimeoutMs ?? 5000;
  const args = buildMpvArgs(opts);
  const tail: string[] = [];
  const startError = (message: string, exit: MpvExit | undefined, cause?: unknown): MpvStartError =>
    new MpvStartError(message, {
      mpvPath,
      role: opts.role,
      exitCode: exit?.code ?? null,
      signal: exit?.signal ?? null,
      outputTail: tail.join('\n'),
      cause,
    });
  if (opts.signal?.aborted) throw startError('aborted before start', undefined, opts.signal.reason);

  const started = performance.now();
  let child: ChildProcess;
  try {
    // Index 3 'pipe' is a socketpair: no socket file, and mpv sees EOF (and quits) when we die.
    child = spawn(mpvPath, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: mpvEnvironment(opts.env ?? process.env),
    });
  } catch (error) {
    throw startError(`cannot spawn ${mpvPath}: ${errorMessage(error)}`, undefined, error);
  }
  // Kept for the process lifetime: a ChildProcess 'error' with no listener would crash the worker.
  child.on('error', () => {});
  let exitInfo: MpvExit | undefined;
  const exited = new Promise<MpvExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    const code = errorCode(error);
    const what = code === 'ENOENT' ? 'executable not found' : `cannot spawn (${code ?? errorMessage(error)})`;
    throw startError(`${what}: ${mpvPath}`, undefined, error);
  }
  // Cast: the 'spawn' event came (an 'error' threw above), and a spawned child has a pid.
  const pid = child.pid as number;

  const waitExit = (ms: number): Promise<boolean> => {
    if (exitInfo) return Promise.resolve(true);
    return settlesWithin(exited, ms);
  };
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (exitInfo === undefined) child.kill(signal);
  };

  for (const [stream, name] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ] as const) {
    collectLines(stream, (line) => {
      tail.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}...` : line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onStderrLine?.(line, name);
    });
  }

  // Cast: stdio[3] was created as a socketpair ('pipe'), which Node returns as a duplex socket.
  const client = new MpvClient(child.stdio[MPV_IPC_FD] as Duplex, opts.clientOptions);
  try {
    const remaining = Math.max(1, Math.ceil(readyTimeoutMs - (performance.now() - started)));
    await client.getProperty('mpv-version', { timeoutMs: remaining, signal: opts.signal });
  } catch (error) {
    // A closed connection usually means mpv is exiting by itself (bad option): give it a moment so
    // the error carries its own exit code and message rather than our SIGKILL.
    if (!(error instanceof MpvClosedError) || !(await waitExit(1000))) kill('SIGKILL');
    await waitExit(2000);
    client.close();
    await drained(child, 300);
    const reason =
      error instanceof MpvClosedError
        ? 'exited during startup'
        : error instanceof MpvAbortError
          ? 'aborted during startup, killed'
          : `no IPC reply within ${readyTimeoutMs} ms, killed`;
    throw startError(reason, exitInfo, error);
  }

  if (opts.signal) {
    const signal = opts.signal;
    const onAbort = (): void => kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => signal.removeEventListener('abort', onAbort));
  }

  const stop = async (timeoutMs = 2000): Promise<void> => {
    if (exitInfo) return;
    // Not awaited: mpv may close the connection before replying to quit; exit is what counts.
    client.command(['quit'], { timeoutMs }).catch(() => {});
    if (await waitExit(timeoutMs)) return;
    kill('SIGTERM');
    if (await waitExit(timeoutMs)) return;
    kill('SIGKILL');
    if (await waitExit(timeoutMs)) return;
    throw new MpvError(`mpv (${opts.role}) pid ${pid} did not exit after SIGKILL`);
  };

  return { pid, role: opts.role, args, client, exited, kill, stop };
}

function collectLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

/** Waits (bounded) for mpv's output pipes to close so the error message has its last words. */
function drained(child: ChildProcess, ms: number): Promise<void> {
  const closed = [child.stdout, child.stderr].map((stream) =>
    !stream || stream.closed ? Promise.resolve() : new Promise<void>((resolve) => stream.once('close', resolve)),
  );
  return settlesWithin(Promise.all(closed), ms).then(() => undefined);
}
