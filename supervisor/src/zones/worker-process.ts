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

/**
 * V8 limits for a worker, whose live heap is a few MB (docs/benchmarks.md, Footprint): a 1 MB young
 * generation instead of 16 MB per semi-space (about 4 MB less RSS per worker, at the cost of more frequent,
 * short scavenges in a process that handles a few commands a second), and a bounded old generation so a
 * leak ends in a crash the restart policy handles instead of a machine that swaps.
 */
export const WORKER_NODE_ARGS = ['--max-semi-space-size=1', '--max-old-space-size=64'];

/** Set only in the bundled build (scripts/bundle.mjs): the bundled worker's file name, beside this code. */
declare const MPVISOR_BUNDLED_WORKER: string | undefined;

/** The worker is a separate program; the supervisor knows only where its entry file is, never its code. */
export const defaultWorkerEntry = (): string =>
  typeof MPVISOR_BUNDLED_WORKER === 'string'
    ? fileURLToPath(new URL(MPVISOR_BUNDLED_WORKER, import.meta.url))
    : fileURLToPath(import.meta.resolve('@mpvisor/worker/main'));

export function spawnWorker(opts: SpawnWorkerOptions): WorkerProcess {
  // detached: the worker leads its own process group, so one kill(-pid) reaches its mpv children too.
  // stdin carries the bootstrap as its first line, then stays open: the worker watches it, and EOF
  // means the supervisor is gone, even after SIGKILL. The bootstrap (the token in it) is not put in the
  // environment, which any process of our user can read in /proc/PID/environ for the worker's life.
  const token = newWorkerToken();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? WORKER_NODE_ARGS), opts.entry ?? defaultWorkerEntry()], {
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
