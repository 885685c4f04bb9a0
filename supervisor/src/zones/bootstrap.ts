import type { WorkerBootstrap as Full, SpareBootstrap as FullSpare } from '@mpvisor/protocol';

/** A zone worker's bootstrap as the supervisor keeps it: spawnWorker adds a new token to each spawn. */
export type WorkerBootstrap = Omit<Full, 'token'>;

/** A warm spare's bootstrap, likewise without its per-spawn token. */
export type SpareBootstrap = Omit<FullSpare, 'token'>;
