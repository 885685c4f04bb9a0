// [system:main]: the supervisor's own topic, reset behaviour and the restart policy defaults.
import type { SectionReader } from './fields.js';
import { reportLeftovers } from './legacy.js';
import { RESTART_DEFAULTS, checkReachable, readRestartPolicy } from './restart.js';
import { topicProblem } from './values.js';
import type { SystemConfig } from './types.js';

const NONE: ReadonlySet<string> = new Set();
const NO_HINTS: ReadonlyMap<string, string> = new Map();

export function readSystem(r: SectionReader, baseTopic: string): SystemConfig {
  const own = r.string('topic');
  const topic = own ?? `${baseTopic}/system`;
  const problem = own === undefined ? null : topicProblem(own);
  if (problem) r.error('topic', problem);

  const { policy } = readRestartPolicy(r, RESTART_DEFAULTS);
  checkReachable(r, policy);

  const s: SystemConfig = {
    topic,
    reset_timeout_ms: r.duration('reset_timeout', 30_000, { min: 1000, max: 600_000 }),
    auto_reset_enabled: r.bool('auto_reset_enabled', false),
    auto_reset_threshold: r.int('auto_reset_threshold', 5, { min: 1, max: 1000 }),
    keep_alive_enabled: r.bool('keep_alive_enabled', true),
    keep_alive_interval_ms: r.duration('keep_alive_interval', 30_000, { min: 1000, max: 3_600_000 }),
    allow_host_commands: r.bool('allow_host_commands', false),
    warm_spares: r.int('warm_spares', 1, { min: 0, max: 8 }),
    restart: policy,
  };
  if (s.allow_host_commands) {
    r.warn(
      'allow_host_commands',
      'stop, reboot, shutdown and killPfx can now be sent over MQTT by anyone allowed to publish on the system topic',
    );
  }
  reportLeftovers(r, NONE, NO_HINTS);
  return s;
}
