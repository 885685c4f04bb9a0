import type { ZoneConfig } from '@mpvisor/config';
import type { WorkerBootstrap as Generic } from '@mpvisor/protocol';

export type WorkerBootstrap = Generic<ZoneConfig>;
