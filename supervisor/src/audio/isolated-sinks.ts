import type { ZoneConfig } from '@mpvisor/config';
import type { Ledger } from '@mpvisor/ledger';
import type { Logger } from '@mpvisor/log';
import { combinedSinkName, type Pactl, type PulseSink, sinkNameOf } from '@mpvisor/pulse';
import { errorMessage } from '@mpvisor/sys';
import type { SinkPlan } from './combined-sinks.js';

/**
 * The bridge's own latency. module-loopback's default is 200 ms; 60 ms keeps an effect's cue close to
 * its trigger and still leaves the servers room on a loaded Raspberry Pi (docs/benchmarks.md).
 */
export const BRIDGE_LATENCY_MS = 60;

/** The device (sink name) of a zone with isolate_output, or null when the zone is not one. */
export const isolatedDevice = (zone: ZoneConfig): string | null =>
  zone.isolate_output && zone.combined_sinks.length === 1 ? sinkNameOf(zone.combined_sinks[0]!) : null;

/**
 * An isolated zone's sink and bridge (`isolate_output`): the zone's mpv play to a null sink of ours that
 * never goes away with the device, so no server ever rescues the zone's streams to another room; a
 * loopback that may not be moved carries the sound to the device while it is there (Pactl.loadBridge).
 * The sink is recorded in the ledger; the bridge is not: it ends with the sink or with the device.
 */
export async function createIsolatedSink(
  pactl: Pactl,
  zone: ZoneConfig,
  tag: string,
  ledger: Ledger | null,
  log: Logger,
  sinks: readonly PulseSink[],
): Promise<SinkPlan> {
  const device = isolatedDevice(zone);
  const name = combinedSinkName(zone.name);
  if (device === null)
    return { device: null, warning: `zone ${zone.name}: isolate_output needs audio_device = pulse/NAME` };
  if (sinks.some((k) => k.name === name))
    return { device: null, warning: `a sink named ${name} exists and is not ours; zone ${zone.name} is not isolated` };
  try {
    const module_index = await pactl.loadZoneSink({ name, device, tag, zone: zone.name });
    ledger?.recordPulseModule({ module_index, sink_name: name, tag });
    log.info('isolated sink created', { zone: zone.name, sink: name, module_index, device });
  } catch (err) {
    return { device: null, warning: `isolated sink for zone ${zone.name} not created: ${errorMessage(err)}` };
  }
  // Without its device the zone plays on silently in its sink (output_missing); the bridge follows the device.
  const warning = sinks.some((k) => k.name === device) ? await bridgeIsolatedSink(pactl, zone, tag, log) : null;
  return { device: `pulse/${name}`, warning };
}

/** The loopback from an isolated zone's sink to its device; a warning when it could not be made. */
export async function bridgeIsolatedSink(
  pactl: Pactl,
  zone: ZoneConfig,
  tag: string,
  log: Logger,
): Promise<string | null> {
  const device = isolatedDevice(zone);
  if (device === null) return null;
  const sink = combinedSinkName(zone.name);
  try {
    const module_index = await pactl.loadBridge({ sink, device, tag, zone: zone.name, latencyMs: BRIDGE_LATENCY_MS });
    log.info('isolated sink bridged to its device', { zone: zone.name, sink, device, module_index });
    return null;
  } catch (err) {
    return `zone ${zone.name} not bridged to ${device}: ${errorMessage(err)}`;
  }
}
