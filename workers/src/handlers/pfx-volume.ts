import { randomBytes } from 'node:crypto';
import { failed, success, warning, VOLUME_TYPES, type HandlerResult, type VolumeType } from '@mpvisor/protocol';
import type { Zone } from '../zone.js';
import type { HandlerFamily } from './types.js';

/** ParadoxFX's id for a duck its caller did not name: `manual-<ms>-<random>`, returned in the outcome. */
export const manualDuckId = (): string => `manual-${Date.now()}-${randomBytes(5).toString('hex')}`;

/**
 * ParadoxFX's volume family (PR_VOLUME): the zone master, one or several per-type base volumes, and
 * the ducking adjustment. A base above max_volume is clamped with a warning, as ParadoxFX does.
 */
export function pfxVolumeHandlers(z: Zone) {
  const setZone = async (volume: number): Promise<HandlerResult> => {
    z.zoneVolume = volume;
    await z.applyVolumes();
    return success(`zone volume ${z.zoneVolume}`, {
      volume: z.zoneVolume,
      background: z.background.state().effective_volume,
      max_volume: z.boot.zone.max_volume,
    });
  };
  return {
    setZoneVolume: (a) => setZone(a.volume),
    setVolume: async (a) => {
      if (a.type !== undefined && a.volume !== undefined) return setBases(z, { [a.type]: a.volume });
      if (a.volumes) return setBases(z, a.volumes);
      if (a.volume !== undefined) return setZone(a.volume);
      return failed('invalid_argument', 'expected {volume}, {type, volume} or {volumes: {...}}');
    },
    setDuckingAdjustment: async (a) => {
      const requested = a.adjustValue;
      const final = Math.max(-100, Math.min(0, Math.round(requested)));
      z.duckingAdjust = final;
      z.stateChanged();
      const result = { adjustValue: final, requested };
      if (final === requested) return success(`ducking_adjust set to ${final}`, result);
      const clamped = warning(`ducking_adjust clamped to ${final} (requested ${requested})`, result);
      return { ...clamped, warning_type: requested > 0 ? 'clamp_ducking_adjust_high' : 'clamp_ducking_adjust_low' };
    },
  } satisfies HandlerFamily;
}

function typesOf(z: Zone): readonly VolumeType[] {
  return VOLUME_TYPES.filter((t) => t !== 'video' || z.screen !== null);
}

/** Sets each named base; unknown types are reported, not fatal, unless none was valid (ParadoxFX's rule). */
async function setBases(z: Zone, volumes: Record<string, number>): Promise<HandlerResult> {
  const max = z.boot.zone.max_volume;
  const types = typesOf(z);
  const set: Record<string, number> = {};
  const clamped: string[] = [];
  const invalid: string[] = [];
  for (const [type, requested] of Object.entries(volumes)) {
    const known = types.find((t) => t === type);
    if (known === undefined) {
      invalid.push(type);
      continue;
    }
    const value = Math.min(max, requested);
    if (value !== requested) clamped.push(type);
    if (known === 'background') await z.background.setBase(value);
    else z.bases[known] = value;
    set[type] = value;
  }
  if (Object.keys(set).length === 0)
    return failed(
      'invalid_argument',
      `no valid volume type in ${JSON.stringify(Object.keys(volumes))}; types: ${types.join(', ')}`,
    );
  await z.applyVolumes();
  const result = {
    volumes: set,
    ...(invalid.length ? { invalid_types: invalid } : {}),
    ...(clamped.length ? { clamped_to_max_volume: clamped } : {}),
  };
  const summary = Object.entries(set)
    .map(([t, v]) => `${t} ${v}`)
    .join(', ');
  if (invalid.length === 0 && clamped.length === 0) return success(`base volume ${summary}`, result);
  const why = [
    invalid.length ? `unknown type(s) ${invalid.join(', ')} ignored` : '',
    clamped.length ? `clamped to max_volume ${max}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    ...warning(`base volume ${summary}; ${why}`, result),
    warning_type: invalid.length ? 'partial_success' : 'clamp_base_volume_high',
  };
}
