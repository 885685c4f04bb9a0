import type { MpvisorConfig, ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { CombinedSinks } from './audio/combined-sinks.js';
import type { Clock } from './clock.js';
import type { Ownership } from './commands/cleanup-handlers.js';
import type { Dispatcher } from './commands/dispatcher.js';
import type { MqttLink } from './mqtt/mqtt-link.js';
import type { RuntimePaths } from './paths.js';
import type { ResetCoordinator } from './reset/coordinator.js';
import type { StatePublisher } from './state-publisher.js';
import type { ZoneRegistry } from './zone-registry.js';
import type { ResourceWatch } from './zones/resource-watch.js';
import type { SparePool } from './zones/spare-pool.js';

/**
 * The one object the supervisor's parts are built from and report on: this run's fixed facts, and its
 * components, each null until start() has made it. Builders read it when they run, callbacks when they
 * are called, so a part made early (the control socket) still sees the ones made after it.
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
  mqtt: MqttLink | null;
  state: StatePublisher | null;
  dispatcher: Dispatcher | null;
  spares: SparePool | null;
  ownership: Ownership | null;
  sinks: CombinedSinks | null;
  resets: ResetCoordinator | null;
  resources: ResourceWatch | null;
}
