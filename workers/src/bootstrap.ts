import type { ZoneConfig } from '@mpvisor/config';
import { WORKER_BOOTSTRAP_ENV, type AnyWorkerBootstrap, type WorkerBootstrap } from '@mpvisor/protocol';

export type Bootstrap = WorkerBootstrap<ZoneConfig>;
/** A zone worker's bootstrap, or a warm spare's (`zone: null`). */
export type AnyBootstrap = AnyWorkerBootstrap<ZoneConfig>;

/** The supervisor is the only intended caller; a clear message helps whoever starts this by hand. */
export function readBootstrap(env: NodeJS.ProcessEnv = process.env): AnyBootstrap {
  const raw = env[WORKER_BOOTSTRAP_ENV];
  if (!raw) throw new Error(`${WORKER_BOOTSTRAP_ENV} is not set: zone workers are started by \`mpvisor run\`, not by hand`);
  const parsed = JSON.parse(raw) as AnyBootstrap;
  const valid = parsed.zone === null ? typeof parsed.spare?.effects === 'number' : Boolean(parsed.zone?.name);
  if (!valid || !parsed.socketPath) throw new Error(`${WORKER_BOOTSTRAP_ENV} lacks zone (or spare) or socketPath`);
  return parsed;
}
