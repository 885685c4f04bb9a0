import type { MpvisorConfig, ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { Clock } from './clock.js';
import type { RuntimePaths } from './paths.js';
import type { ZoneRegistry } from './zone-registry.js';

/**
 * The first stage of a supervisor: this run's fixed facts, complete before anything starts. Every
 * later stage (stages/*.ts) is built from it and from the stages before, each handed over fully built.
 */
export interface SupervisorContext {
  /** Replaced by a config reload (zones and [mqtt]; [global] and [system:main] as they started). */
  config: MpvisorConfig;
  readonly paths: RuntimePaths;
  readonly log: Logger;
  readonly clock: Clock;
  /** Extra environment for mpv (PULSE_SERVER in tests). */
  readonly mpvEnv: Record<string, string> | undefined;
  /** Wall-clock start, for uptimes. */
  readonly startedAt: number;
  readonly zones: ZoneRegistry;
  /** The enabled zones' configurations by name. */
  readonly zoneConfigs: Map<string, ZoneConfig>;
}
