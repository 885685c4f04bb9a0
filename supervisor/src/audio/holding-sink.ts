import type { ZoneConfig } from '@mpvisor/config';
import type { Ledger } from '@mpvisor/ledger';
import type { Logger } from '@mpvisor/log';
import { holdSinkName, isOurs, type Pactl, type PulseSink } from '@mpvisor/pulse';

/** Zones that own a sink (a `pulse/NAME` device, or a combine sink): their streams need somewhere silent to wait. */
export const ownsSink = (z: ZoneConfig): boolean =>
  z.kind === 'combined-audio' || (z.audio_device?.startsWith('pulse/') ?? false);

/**
 * Our silent holding sink (a tagged module-null-sink): where a zone's workers send its streams while
 * the zone's own output is gone, so the server's rescue to its default sink (another room) lasts only
 * until the worker reacts. Loaded once per server lifetime, recorded in the ledger, kept if a tagged
 * one is already there; a sink of that name without our tag is left alone. `listed`: the server's sinks
 * as the caller has just listed them (else they are listed here).
 */
export async function ensureHoldSink(
  pactl: Pactl,
  tag: string,
  ledger: Ledger | null,
  log: Logger,
  listed?: readonly PulseSink[],
): Promise<string | null> {
  const name = holdSinkName(tag);
  const existing = (listed ?? (await pactl.listSinks())).find((s) => s.name === name);
  if (existing && !isOurs(existing, tag))
    return `a sink named ${name} exists and is not ours: no holding sink, a zone whose output goes may be heard elsewhere`;
  if (existing) {
    if (existing.owner_module !== null && !ledger?.pulseModules.some((m) => m.module_index === existing.owner_module)) {
      ledger?.recordPulseModule({ module_index: existing.owner_module, sink_name: name, tag });
    }
    return null;
  }
  const module_index = await pactl.loadHoldSink({ name, tag });
  ledger?.recordPulseModule({ module_index, sink_name: name, tag });
  log.info('holding sink created', { sink: name, module_index });
  return null;
}
