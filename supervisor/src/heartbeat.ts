import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import type { MpvisorConfig } from '@mpvisor/config';
import type { PfxHeartbeatZone } from '@mpvisor/protocol';
import type { MqttLink } from './mqtt/mqtt-link.js';
import type { ZoneRegistry } from './zone-registry.js';
import { z } from 'zod';

/** This program's version, as its package.json says (read once, at start). */
const VERSION = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))).version;

/** The first non-internal IPv4 address (ParadoxFX reports one), else the first IPv6, else null. */
export function primaryAddress(): string | null {
  const all = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal);
  return (all.find((a) => a.family === 'IPv4') ?? all[0])?.address ?? null;
}

/**
 * ParadoxFX's heartbeat, so existing dashboards keep working: timestamp, application ("pfx", what they
 * filter on; `implementation` says mpvisor), device_name, ip_address, status, uptime (seconds), zones
 * keyed by section as ParadoxFX has them, and mpvisor's lifecycle per zone in `zone_states`. Not retained.
 */
export function startHeartbeat(
  mqtt: MqttLink,
  config: MpvisorConfig,
  zones: ZoneRegistry,
  startedAt: number,
): () => void {
  const ip = primaryAddress();
  const publish = () => {
    const states = zones.all().map((r) => r.state);
    const pfxZones: Record<string, PfxHeartbeatZone> = {};
    for (const r of zones.all()) {
      const snap = r.snapshot();
      const section = config.zones.find((z) => z.name === r.name)?.section ?? r.name;
      const browser = snap.browser;
      pfxZones[section] = {
        status: r.state === 'ready' ? snap.status : r.state,
        focus: browser?.focused ? 'browser' : 'mpv',
        content: browser?.focused ? browser.url : snap.current_file,
        browser_enabled: browser?.enabled ?? false,
      };
    }
    mqtt.publishEvent(
      config.global.heartbeat_topic,
      JSON.stringify({
        timestamp: new Date().toISOString(),
        application: 'pfx',
        implementation: 'mpvisor',
        version: VERSION,
        device_name: config.mqtt.device_name || hostname(),
        ip_address: ip,
        status: states.every((s) => s === 'ready') ? 'online' : 'degraded',
        uptime: Math.round((Date.now() - startedAt) / 100) / 10,
        zones: pfxZones,
        zone_states: Object.fromEntries(zones.all().map((r) => [r.name, r.state])),
      }),
    );
  };
  const timer = setInterval(publish, config.global.heartbeat_interval_ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** `{system topic}/metrics`, retained, every interval: the same document as the `metrics` command. */
export function startMetricsTopic(
  mqtt: MqttLink,
  topic: string,
  metrics: () => Record<string, unknown>,
  intervalMs: number,
): () => void {
  const publish = () =>
    mqtt.publishRetained(topic, JSON.stringify({ timestamp: new Date().toISOString(), ...metrics() }));
  publish();
  const timer = setInterval(publish, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
