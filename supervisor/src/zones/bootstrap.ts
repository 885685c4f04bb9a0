import type { ZoneConfig } from '@mpvisor/config';
import type { WorkerBootstrap as Generic, SpareBootstrap as GenericSpare } from '@mpvisor/protocol';

/** A zone worker's bootstrap as the supervisor keeps it: spawnWorker adds a new token to each spawn. */
export type WorkerBootstrap = Omit<Generic<ZoneConfig>, 'token'>;

/** A warm spare's bootstrap, likewise without its per-spawn token. */
export type SpareBootstrap = Omit<GenericSpare, 'token'>;
