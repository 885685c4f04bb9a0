import { systemTopics, zoneTopics, type SystemLifecycle } from '@mpvisor/protocol';
import type { MqttLink } from './mqtt/mqtt-link.js';
import type { ZoneRegistry } from './zone-registry.js';

/**
 * Publishes retained zone and system state. Changes are coalesced per tick so a burst of worker
 * messages becomes one publish, and everything is re-published every interval as a keep-alive.
 */
export class StatePublisher {
  private dirty = new Set<string>();
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private systemState: SystemLifecycle = 'starting';

  constructor(
    private readonly mqtt: MqttLink,
    private readonly zones: ZoneRegistry,
    /** Undefined for a zone no longer configured (removed by a reload while a publish was queued). */
    private readonly zoneTopic: (zone: string) => string | undefined,
    private readonly systemTopic: string,
    private readonly systemFacts: () => Record<string, unknown>,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.publishAll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  zoneChanged(zone: string): void {
    this.dirty.add(zone);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  setSystemState(state: SystemLifecycle): void {
    if (state === this.systemState) return;
    this.systemState = state;
    this.publishSystem();
  }

  get system(): SystemLifecycle {
    return this.systemState;
  }

  private flush(): void {
    this.scheduled = false;
    const names = [...this.dirty];
    this.dirty.clear();
    for (const name of names) this.publishZone(name);
  }

  publishZone(name: string): void {
    const runner = this.zones.get(name);
    const topic = this.zoneTopic(name);
    if (!runner || topic === undefined) return;
    this.mqtt.publishRetained(zoneTopics(topic).state, JSON.stringify(runner.snapshot()));
  }

  publishSystem(): void {
    const payload = { timestamp: new Date().toISOString(), state: this.systemState, ...this.systemFacts() };
    this.mqtt.publishRetained(systemTopics(this.systemTopic).state, JSON.stringify(payload));
  }

  publishAll(): void {
    for (const name of this.zones.names()) this.publishZone(name);
    this.publishSystem();
  }
}
