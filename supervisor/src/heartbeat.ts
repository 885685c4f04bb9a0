import { hostname } from 'node:os';
import type { MpvisorConfig } from '@mpvisor/config';
import type { MqttLink } from './mqtt/mqtt-link.js';
import type { ZoneRegistry } from './zone-registry.js';

/** ParadoxFX's heartbeat, so existing dashboards keep working: same fields, plus zone states. */
export function startHeartbeat(mqtt: MqttLink, config: MpvisorConfig, zones: ZoneRegistry, startedAt: number): () => void {
  const publish = () => {
    const states = zones.all().map((r) => r.state);
    mqtt.publishEvent(
      config.global.heartbeat_topic,
      JSON.stringify({
        timestamp: new Date().toISOString(),
        application: 'mpvisor',
        device_name: config.mqtt.device_name || hostname(),
        status: states.every((s) => s === 'ready') ? 'online' : 'degraded',
        uptime: (Date.now() - startedAt) / 1000,
        zones: Object.fromEntries(zones.all().map((r) => [r.name, r.state])),
      }),
    );
  };
  const timer = setInterval(publish, config.global.heartbeat_interval_ms);
  timer.unref();
  return () => clearInterval(timer);
}
