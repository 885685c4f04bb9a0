import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, isAlive } from './processes.js';
import { waitFor } from './wait.js';
import { settlesWithin } from '@mpvisor/sys';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cliPath = join(repoRoot, 'supervisor', 'bin', 'mpvisor.js');
/** The bundled program (`npm run build`: scripts/bundle.mjs), as `npm start` and the systemd unit run it. */
export const bundledCliPath = join(repoRoot, 'supervisor', 'build', 'mpvisor.js');

export interface SupervisorProcess {
  child: ChildProcess;
  pid: number;
  runDir: string;
  stateDir: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every live process below the supervisor: workers and their mpv. */
  tree(): number[];
  /** SIGTERM, wait, then SIGKILL of anything left; asserts nothing of this run survives. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  dir: string;
  config?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** The CLI to run: the compiled tree by default, or bundledCliPath. */
  entry?: string;
}

/** Run `mpvisor run` as a real child process on a private run and state directory. */
export function startSupervisor(opts: StartOptions): SupervisorProcess {
  const runDir = join(opts.dir, 'run');
  const stateDir = join(opts.dir, 'state');
  const args = [opts.entry ?? cliPath, 'run', '--run-dir', runDir, '--state-dir', stateDir];
  if (opts.config !== undefined) {
    const file = join(opts.dir, 'test.ini');
    writeFileSync(file, opts.config);
    args.push('--config', file);
  }
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  const known = new Set<number>();
  const tree = () => {
    const pids = descendants(pid);
    for (const p of pids) known.add(p);
    return pids;
  };
  return {
    child,
    pid,
    runDir,
    stateDir,
    output: () => out,
    exited,
    tree,
    async stop(timeoutMs = 10_000) {
      tree();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const done = await settlesWithin(exited, timeoutMs);
      if (!done) child.kill('SIGKILL');
      await exited;
      await waitFor(() => [...known].every((p) => !isAlive(p)), 3000, 'every worker and mpv of this run to exit').catch(
        (err: Error) => {
          for (const p of known) if (isAlive(p)) process.kill(p, 'SIGKILL');
          throw err;
        },
      );
    },
  };
}
