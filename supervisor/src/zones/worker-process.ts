import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OWNER_RUN_DIR_ENV } from '@mpvisor/protocol';
import type { SpareBootstrap, WorkerBootstrap } from './bootstrap.js';
import { newWorkerToken } from './worker-token.js';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  pid: number;
  /** This spawn's secret, also in its bootstrap; its hello must echo it. */
  token: string;
  child: ChildProcess;
  exited: Promise<WorkerExit>;
  /** Signal the whole process group: the worker and every mpv it started. */
  killGroup(signal: NodeJS.Signals): void;
}

export interface SpawnWorkerOptions {
  bootstrap: WorkerBootstrap | SpareBootstrap;
  onOutputLine: (stream: 'stdout' | 'stderr', line: string) => void;
  entry?: string;
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

/** The worker is a separate program; the supervisor knows only where its entry file is, never its code. */
export const defaultWorkerEntry = (): string => fileURLToPath(import.meta.resolve('@mpvisor/worker/main'));

export function spawnWorker(opts: SpawnWorkerOptions): WorkerProcess {
  // detached: the worker leads its own process group, so one kill(-pid) reaches its mpv children too.
  // stdin carries the bootstrap as its first line, then stays open: the worker watches it, and EOF
  // means the supervisor is gone, even after SIGKILL. The bootstrap (the token in it) is not put in the
  // environment, which any process of our user can read in /proc/PID/environ for the worker's life.
  const token = newWorkerToken();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry ?? defaultWorkerEntry()], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env, [OWNER_RUN_DIR_ENV]: opts.bootstrap.runDir },
  });
  child.stdin!.on('error', () => {});
  child.stdin!.write(`${JSON.stringify({ ...opts.bootstrap, token })}\n`);
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    const rl = createInterface({ input: child[stream]! });
    rl.on('line', (line) => opts.onOutputLine(stream, line));
  }
  if (child.pid === undefined) {
    return { pid: -1, token, child, exited, killGroup: () => {} };
  }
  const pid = child.pid;
  return {
    pid,
    token,
    child,
    exited,
    killGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // Already gone: nothing of ours is left to signal.
      }
    },
  };
}
