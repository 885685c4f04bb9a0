import type { ZoneConfig } from '@mpvisor/config';
import type { LastExit, MediaState, MpvInstanceInfo, ZoneLifecycle, ZoneState } from '@mpvisor/protocol';
import { pfxView } from './pfx-state.js';

/** What a zone's runner keeps across its workers for the zone's retained state. */
export interface ZoneFacts {
  /**
   * When the current worker became ready. Cleared only when the next worker starts, so the uptime of
   * a zone that is down keeps counting from its last worker's start.
   */
  readyAt: number | null;
  lastExit: LastExit | null;
  nextRestartAt: number | null;
  media: MediaState | null;
  errors: string[];
  resources: ZoneState['resources'];
  /** ParadoxFX's lastCommand: the last command this zone was sent. */
  lastCommand: string | null;
}

export const freshFacts = (): ZoneFacts => ({
  readyAt: null,
  lastExit: null,
  nextRestartAt: null,
  media: null,
  errors: [],
  resources: null,
  lastCommand: null,
});

/** The errors list keeps the last ten. */
export function noteError(facts: ZoneFacts, message: string): void {
  facts.errors = [...facts.errors.slice(-9), message];
}

/** What the runner knows right now besides its facts. */
export interface LiveFacts {
  state: ZoneLifecycle;
  pid: number | null;
  restarts: number;
  mpv: MpvInstanceInfo[];
  now: number;
}

export function zoneSnapshot(zone: ZoneConfig, facts: ZoneFacts, live: LiveFacts): ZoneState {
  return {
    ...(facts.media ?? {}),
    timestamp: new Date().toISOString(),
    zone: zone.name,
    zone_type: zone.kind,
    state: live.state,
    pid: live.pid,
    restarts: live.restarts,
    last_exit: facts.lastExit,
    next_restart_ms: facts.nextRestartAt === null ? null : Math.max(0, Math.round(facts.nextRestartAt - live.now)),
    uptime_ms: facts.readyAt === null ? 0 : Math.round(live.now - facts.readyAt),
    mpv_processes: live.mpv,
    resources: facts.resources,
    errors: facts.errors,
    ...pfxView(zone, facts.media, live.mpv, facts.lastCommand),
  };
}
