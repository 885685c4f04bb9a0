import type { ZoneConfig } from '@mpvisor/config';
import { WORKER_BOOTSTRAP_ENV, type WorkerBootstrap } from '@mpvisor/protocol';

export type Bootstrap = WorkerBootstrap<ZoneConfig>;

/** The supervisor is the only intended caller; a clear message helps whoever starts this by hand. */
export function readBootstrap(env: NodeJS.ProcessEnv = process.env): Bootstrap {
  const raw = env[WORKER_BOOTSTRAP_ENV];
  if (!raw) throw new Error(`${WORKER_BOOTSTRAP_ENV} is not set: zone workers are started by \`mpvisor run\`, not by hand`);
  const parsed = JSON.parse(raw) as Bootstrap;
  if (!parsed.zone?.name || !parsed.socketPath) throw new Error(`${WORKER_BOOTSTRAP_ENV} lacks zone or socketPath`);
  return parsed;
}
