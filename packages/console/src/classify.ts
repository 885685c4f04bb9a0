import {
  heartbeatSchema,
  metricsSchema,
  otherEventSchema,
  outcomeSchema,
  resetStatusSchema,
  systemStateSchema,
  zoneStateSchema,
  type HeartbeatView,
  type MetricsView,
  type OtherEventView,
  type OutcomeView,
  type ResetStatusView,
  type SystemStateView,
  type ZoneStateView,
} from './messages.js';

/** One broker message, recognised by its topic suffix and validated shape. `parent` is the topic without the suffix. */
export type FleetMessage =
  | { kind: 'availability'; base: string; device: string; online: boolean }
  | { kind: 'heartbeat'; topic: string; heartbeat: HeartbeatView }
  | { kind: 'system_state'; parent: string; state: SystemStateView }
  | { kind: 'zone_state'; parent: string; state: ZoneStateView }
  | { kind: 'metrics'; parent: string; metrics: MetricsView }
  | { kind: 'outcome'; parent: string; outcome: OutcomeView }
  | { kind: 'reset_status'; parent: string; status: ResetStatusView }
  | { kind: 'event'; parent: string; event: OtherEventView }
  | { kind: 'warning'; parent: string; event: OtherEventView };

/** Bigger payloads are not ours to show (the supervisor caps commands at 64 KiB; states are far smaller). */
const MAX_PAYLOAD = 256 * 1024;

function json(payload: Buffer): unknown {
  if (payload.length > MAX_PAYLOAD) return undefined;
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

function split(topic: string): { parent: string; leaf: string } {
  const i = topic.lastIndexOf('/');
  return i < 0 ? { parent: '', leaf: topic } : { parent: topic.slice(0, i), leaf: topic.slice(i + 1) };
}

function classifyEvent(parent: string, body: unknown): FleetMessage | null {
  const outcome = outcomeSchema.safeParse(body);
  if (outcome.success) return { kind: 'outcome', parent, outcome: outcome.data };
  const status = resetStatusSchema.safeParse(body);
  if (status.success) return { kind: 'reset_status', parent, status: status.data };
  const other = otherEventSchema.safeParse(body);
  return other.success ? { kind: 'event', parent, event: other.data } : null;
}

/** What a message on the broker is to the console, or null for anything it does not show. */
export function classify(topic: string, payload: Buffer): FleetMessage | null {
  const { parent, leaf } = split(topic);
  if (leaf === 'availability') {
    const text = payload.toString('utf8');
    if (text !== 'online' && text !== 'offline') return null;
    const node = split(parent);
    return { kind: 'availability', base: node.parent, device: node.leaf, online: text === 'online' };
  }
  const body = json(payload);
  if (body === undefined) return null;
  switch (leaf) {
    case 'state': {
      const zone = zoneStateSchema.safeParse(body);
      if (zone.success) return { kind: 'zone_state', parent, state: zone.data };
      const system = systemStateSchema.safeParse(body);
      return system.success ? { kind: 'system_state', parent, state: system.data } : null;
    }
    case 'metrics': {
      const metrics = metricsSchema.safeParse(body);
      return metrics.success ? { kind: 'metrics', parent, metrics: metrics.data } : null;
    }
    case 'events':
      return classifyEvent(parent, body);
    case 'warnings': {
      const warning = otherEventSchema.safeParse(body);
      return warning.success ? { kind: 'warning', parent, event: warning.data } : null;
    }
    default: {
      const heartbeat = heartbeatSchema.safeParse(body);
      return heartbeat.success ? { kind: 'heartbeat', topic, heartbeat: heartbeat.data } : null;
    }
  }
}
