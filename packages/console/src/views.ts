import type { ZoneStateView } from './messages.js';

/** A supervisor as the page and `fleet status` show it. `id` is `{base_topic}/{device_name}`. */
export interface NodeView {
  id: string;
  base: string;
  device: string;
  /** From the retained availability; null until it is seen. */
  online: boolean | null;
  /** Console time of the last availability change. */
  since: string | null;
  system_topic: string | null;
  system_state: string | null;
  pid: number | null;
  uptime_ms: number | null;
  version: string | null;
  ip: string | null;
  heartbeat_at: string | null;
  /** Supervisor RSS plus its zones' processes, from the retained metrics. */
  rss_mb: number | null;
  cpu_percent: number | null;
}

/** A zone: its retained state, which node it belongs to, and why it is not ready. */
export interface ZoneView {
  /** The zone topic (its state topic without `/state`): unique on a broker. */
  topic: string;
  node: string | null;
  state: ZoneStateView;
  /** For failed, degraded or restarting zones: the last exit's reason, else the newest error. */
  reason: string | null;
  received_at: string;
}

export type EventLevel = 'info' | 'warning' | 'error';

export interface FleetEvent {
  seq: number;
  received_at: string;
  node: string | null;
  zone: string | null;
  level: EventLevel;
  text: string;
}

export interface FleetSnapshot {
  nodes: NodeView[];
  zones: ZoneView[];
  events: FleetEvent[];
}

/** What the page is pushed after the first snapshot. */
export type FleetChange =
  | { type: 'node'; node: NodeView }
  | { type: 'zone'; zone: ZoneView }
  | { type: 'event'; event: FleetEvent };

export function reasonOf(state: ZoneStateView): string | null {
  if (state.state === 'ready' || state.state === 'starting' || state.state === 'stopped') return null;
  return state.last_exit?.reason ?? state.errors.at(-1) ?? null;
}
