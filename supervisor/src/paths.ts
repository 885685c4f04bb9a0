import { mkdir, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { MpvisorConfig } from '@mpvisor/config';

export interface RuntimePaths {
  runDir: string;
  stateDir: string;
  controlSocket: string;
  workerSocket: string;
}

const isRoot = () => process.getuid?.() === 0;

/** Run directory: CLI flag, then env, then config, then the usual per-user or system place. */
export function defaultRunDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MPVISOR_RUN_DIR) return env.MPVISOR_RUN_DIR;
  if (isRoot()) return '/run/mpvisor';
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'mpvisor');
  return join('/tmp', `mpvisor-${process.getuid?.() ?? 'user'}`);
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MPVISOR_STATE_DIR) return env.MPVISOR_STATE_DIR;
  if (isRoot()) return '/var/lib/mpvisor';
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'mpvisor');
}

export function resolvePaths(config: MpvisorConfig | null, flags: { runDir?: string; stateDir?: string }): RuntimePaths {
  const runDir = flags.runDir ?? config?.global.run_dir ?? defaultRunDir();
  const stateDir = flags.stateDir ?? config?.global.state_dir ?? defaultStateDir();
  return { runDir, stateDir, controlSocket: join(runDir, 'control.sock'), workerSocket: join(runDir, 'workers.sock') };
}

/** The run directory holds the control socket: only its owner may enter it. */
export async function prepareDirs(paths: RuntimePaths): Promise<void> {
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await chmod(paths.runDir, 0o700);
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
}
