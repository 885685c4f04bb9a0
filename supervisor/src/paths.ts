import { chmod, lstat, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { MpvisorConfig } from '@mpvisor/config';

export interface RuntimePaths {
  runDir: string;
  stateDir: string;
  controlSocket: string;
  workerSocket: string;
}

const isRoot = () => process.getuid?.() === 0;

/** The last resort in a folder every local user can write to: checked strictly by prepareDirs. */
export function sharedTmpRunDir(): string {
  return join('/tmp', `mpvisor-${process.getuid?.() ?? 'user'}`);
}

/**
 * Run directory: CLI flag, then env, then config, then the usual per-user or system place: systemd's
 * RuntimeDirectory=, the login session's XDG_RUNTIME_DIR (both private to us), /tmp last.
 */
export function defaultRunDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MPVISOR_RUN_DIR) return env.MPVISOR_RUN_DIR;
  if (env.RUNTIME_DIRECTORY) return env.RUNTIME_DIRECTORY.split(':')[0] ?? env.RUNTIME_DIRECTORY;
  if (isRoot()) return '/run/mpvisor';
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'mpvisor');
  return sharedTmpRunDir();
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MPVISOR_STATE_DIR) return env.MPVISOR_STATE_DIR;
  if (isRoot()) return '/var/lib/mpvisor';
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'mpvisor');
}

export function resolvePaths(
  config: MpvisorConfig | null,
  flags: { runDir?: string; stateDir?: string },
): RuntimePaths {
  const runDir = flags.runDir ?? config?.global.run_dir ?? defaultRunDir();
  const stateDir = flags.stateDir ?? config?.global.state_dir ?? defaultStateDir();
  return { runDir, stateDir, controlSocket: join(runDir, 'control.sock'), workerSocket: join(runDir, 'workers.sock') };
}

export class RunDirError extends Error {
  constructor(dir: string, problem: string) {
    super(`run directory ${dir} ${problem}: remove it, or choose another with --run-dir, MPVISOR_RUN_DIR or run_dir`);
    this.name = 'RunDirError';
  }
}

/**
 * The run directory holds the control and worker sockets: only we may enter it. Another local user
 * can create a name in /tmp before us (a symlink to a folder of theirs, or a folder they own), so the
 * folder is created without following links and then checked with lstat, never trusted by name.
 */
export async function prepareRunDir(dir: string, sharedTmp = dir === sharedTmpRunDir()): Promise<void> {
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const st = await lstat(dir);
  if (st.isSymbolicLink()) throw new RunDirError(dir, 'is a symbolic link');
  if (!st.isDirectory()) throw new RunDirError(dir, 'is not a directory');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new RunDirError(dir, `belongs to uid ${st.uid}, not to us (uid ${uid})`);
  if ((st.mode & 0o777) === 0o700) return;
  // In /tmp a folder others could enter may already hold their files; a configured folder is ours to tighten.
  if (sharedTmp) throw new RunDirError(dir, `has mode ${(st.mode & 0o777).toString(8)}, not 700`);
  await chmod(dir, 0o700);
}

export async function prepareDirs(paths: RuntimePaths): Promise<void> {
  await prepareRunDir(paths.runDir);
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
}
