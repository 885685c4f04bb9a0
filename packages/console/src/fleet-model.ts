import type { FleetMessage } from './classify.js';
import type { HeartbeatView, MetricsView, OtherEventView, SystemStateView } from './messages.js';
import {
  reasonOf,
  type EventLevel,
  type FleetChange,
  type FleetEvent,
  type FleetSnapshot,
  type NodeView,
  type ZoneView,
} from './views.js';

interface NodeRecord {
  base: string;
  device: string;
  online: boolean | null;
  since: string | null;
}

interface HeartbeatRecord {
  topic: string;
  hb: HeartbeatView;
}

interface SystemRecord {
  state: SystemStateView | null;
  metrics: MetricsView | null;
}

const EVENT_LIMIT = 200;

const liesUnder = (topic: string, base: string) => base === '' || topic === base || topic.startsWith(`${base}/`);

/**
 * The fleet as the broker tells it. Nodes come from availability; systems, zones and heartbeats are
 * linked to a node by the longest base topic their topic lies under (else a zone by a name that exactly
 * one system state lists, a heartbeat by a device name only one node has). Messages may arrive in any
 * order; links are computed when a view is built, so a state seen before its node's availability is
 * placed once the node appears.
 */
export class FleetModel {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly systems = new Map<string, SystemRecord>();
  private readonly heartbeats = new Map<string, HeartbeatRecord>();
  private readonly zones = new Map<string, ZoneView>();
  private readonly events: FleetEvent[] = [];
  private seq = 0;
  private readonly listeners = new Set<(change: FleetChange) => void>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  onChange(listener: (change: FleetChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): FleetSnapshot {
    return {
      nodes: [...this.nodes.keys()].map((id) => this.nodeView(id)),
      zones: [...this.zones.values()].map((z) => ({ ...z, node: this.nodeOfZone(z.topic, z.state.zone) })),
      events: [...this.events],
    };
  }

  apply(msg: FleetMessage): void {
    switch (msg.kind) {
      case 'availability':
        this.availability(msg.base, msg.device, msg.online);
        return;
      case 'heartbeat':
        this.heartbeat(msg.topic, msg.heartbeat);
        return;
      case 'system_state':
        this.system(msg.parent).state = msg.state;
        this.nodeChanged(this.nodeOfTopic(msg.parent));
        return;
      case 'metrics':
        this.system(msg.parent).metrics = msg.metrics;
        this.nodeChanged(this.nodeOfTopic(msg.parent));
        return;
      case 'zone_state': {
        const view: ZoneView = {
          topic: msg.parent,
          node: null,
          state: msg.state,
          reason: reasonOf(msg.state),
          received_at: this.now().toISOString(),
        };
        this.zones.set(msg.parent, view);
        view.node = this.nodeOfZone(msg.parent, msg.state.zone);
        this.emit({ type: 'zone', zone: { ...view } });
        return;
      }
      case 'reset_status': {
        const s = msg.status;
        const errors = s.errors?.length ? `: ${s.errors.join('; ')}` : '';
        this.record(msg.parent, null, s.phase === 'failed' ? 'error' : 'info', `reset ${s.phase}${errors}`);
        return;
      }
      case 'outcome': {
        const o = msg.outcome;
        if (o.outcome === 'success') return;
        this.record(
          msg.parent,
          o.zone,
          o.outcome === 'warning' ? 'warning' : 'error',
          `${o.command ?? 'command'} ${o.outcome}: ${o.message}`,
        );
        return;
      }
      case 'event':
        this.otherEvent(msg.parent, msg.event);
        return;
      case 'warning':
        this.record(msg.parent, msg.event.zone ?? null, 'warning', msg.event.message ?? JSON.stringify(msg.event));
        return;
    }
  }

  private otherEvent(parent: string, e: OtherEventView): void {
    // Warnings are copied to events and lifecycle events to the system's events: each is listed once.
    if (e.type === 'warning') return;
    if (e.type === 'zone_lifecycle') {
      if (!this.systems.has(parent)) return;
      const level: EventLevel = e.event === 'failed' || e.event === 'crashed' ? 'error' : 'info';
      this.record(
        parent,
        e.zone ?? null,
        level,
        `${e.zone ?? '?'} ${e.event ?? 'lifecycle'}${e.message ? `: ${e.message}` : ''}`,
      );
      return;
    }
  }

  private availability(base: string, device: string, online: boolean): void {
    const rec = this.node(base, device);
    if (rec.online === online) return;
    rec.online = online;
    rec.since = this.now().toISOString();
    const id = `${base}/${device}`;
    this.nodeChanged(id);
    this.record(id, null, online ? 'info' : 'error', online ? 'online' : 'offline');
  }

  private heartbeat(topic: string, hb: HeartbeatView): void {
    this.heartbeats.set(`${topic}|${hb.device_name}`, { topic, hb });
    this.nodeChanged(this.ownerOfHeartbeat(topic, hb.device_name));
  }

  /**
   * The node a heartbeat belongs to: of its device, with the longest base topic the heartbeat topic lies
   * under (the default `{base}/heartbeat`), else the only node of that device name. A heartbeat makes no
   * node of its own: one seen before its node's availability is placed once the node appears.
   */
  private ownerOfHeartbeat(topic: string, device: string): string | null {
    const sameDevice = [...this.nodes.entries()].filter(([, n]) => n.device === device);
    const placed = sameDevice
      .filter(([, n]) => liesUnder(topic, n.base))
      .sort(([, a], [, b]) => b.base.length - a.base.length);
    return placed[0]?.[0] ?? (sameDevice.length === 1 ? sameDevice[0]![0] : null);
  }

  private heartbeatOf(id: string): HeartbeatView | null {
    let latest: HeartbeatView | null = null;
    for (const { topic, hb } of this.heartbeats.values()) {
      if (this.ownerOfHeartbeat(topic, hb.device_name) === id && (latest === null || hb.timestamp > latest.timestamp))
        latest = hb;
    }
    return latest;
  }

  private node(base: string, device: string): NodeRecord {
    const id = `${base}/${device}`;
    let rec = this.nodes.get(id);
    if (!rec) {
      rec = { base, device, online: null, since: null };
      this.nodes.set(id, rec);
      for (const zone of this.zones.values()) {
        const node = this.nodeOfZone(zone.topic, zone.state.zone);
        if (node !== zone.node) this.emit({ type: 'zone', zone: { ...zone, node } });
        zone.node = node;
      }
    }
    return rec;
  }

  private system(parent: string): SystemRecord {
    let rec = this.systems.get(parent);
    if (!rec) {
      rec = { state: null, metrics: null };
      this.systems.set(parent, rec);
    }
    return rec;
  }

  private nodeOfTopic(topic: string): string | null {
    let best: string | null = null;
    let length = -1;
    for (const [id, n] of this.nodes) {
      if (liesUnder(topic, n.base) && n.base.length > length) [best, length] = [id, n.base.length];
    }
    return best;
  }

  private nodeOfZone(topic: string, zone: string): string | null {
    const byTopic = this.nodeOfTopic(topic);
    if (byTopic !== null) return byTopic;
    const listing = [...this.systems.entries()].filter(([, s]) => s.state && zone in s.state.zones);
    return listing.length === 1 ? this.nodeOfTopic(listing[0]![0]) : null;
  }

  /** The system topic of a node: the one under its base (the default `{base}/system`), else one listing its zones. */
  private systemOf(id: string): [string, SystemRecord] | null {
    const entries = [...this.systems.entries()].filter(([topic]) => this.nodeOfTopic(topic) === id);
    return entries.find(([topic]) => topic.endsWith('/system')) ?? entries[0] ?? null;
  }

  private nodeView(id: string): NodeView {
    const n = this.nodes.get(id)!;
    const sys = this.systemOf(id);
    const state = sys?.[1].state ?? null;
    const metrics = sys?.[1].metrics ?? null;
    const zoneUsage = Object.values(metrics?.zones ?? {});
    const hb = this.heartbeatOf(id);
    return {
      id,
      base: n.base,
      device: n.device,
      online: n.online,
      since: n.since,
      system_topic: sys?.[0] ?? null,
      system_state: state?.state ?? null,
      pid: state?.pid ?? null,
      uptime_ms: hb ? Math.round(hb.uptime * 1000) : (state?.uptime_ms ?? null),
      version: hb?.version ?? null,
      ip: hb?.ip_address ?? null,
      heartbeat_at: hb?.timestamp ?? null,
      rss_mb: metrics ? (metrics.supervisor?.rss_mb ?? 0) + zoneUsage.reduce((s, z) => s + (z.rss_mb ?? 0), 0) : null,
      cpu_percent: metrics ? Math.round(zoneUsage.reduce((s, z) => s + (z.cpu_percent ?? 0), 0) * 10) / 10 : null,
    };
  }

  private nodeChanged(id: string | null): void {
    if (id !== null) this.emit({ type: 'node', node: this.nodeView(id) });
  }

  private record(topic: string, zone: string | null, level: EventLevel, text: string): void {
    const node = this.nodes.has(topic) ? topic : this.nodeOfTopic(topic);
    const event: FleetEvent = { seq: ++this.seq, received_at: this.now().toISOString(), node, zone, level, text };
    this.events.push(event);
    if (this.events.length > EVENT_LIMIT) this.events.shift();
    this.emit({ type: 'event', event });
  }

  private emit(change: FleetChange): void {
    for (const l of this.listeners) l(change);
  }
}
