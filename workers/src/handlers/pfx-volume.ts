import { randomBytes } from 'node:crypto';
import { failed, success, warning, VOLUME_TYPES, type HandlerResult, type VolumeType } from '@mpvisor/protocol';
import type { Zone } from '../zone.js';
import type { HandlerTable } from './types.js';

/** ParadoxFX's id for a duck its caller did not name: `manual-<ms>-<random>`, returned in the outcome. */
export const manualDuckId = (): string => `manual-${Date.now()}-${randomBytes(5).toString('hex')}`;

/**
 * ParadoxFX's volume family (PR_VOLUME): the zone master, one or several per-type base volumes, and
 * the ducking adjustment. A base above max_volume is clamped with a warning, as ParadoxFX does.
 */
export function pfxVolumeHandlers(z: Zone): HandlerTable {
  const setZone = async (volume: number): Promise<HandlerResult> => {
    z.zoneVolume = volume;
    await z.applyVolumes();
    return success(`zone volume ${z.zoneVolume}`, {
      volume: z.zoneVolume,
      background: z.background.state().effective_volume,
      max_volume: z.boot.zone.max_volume,
    });
  };
  return [
    ['setZoneVolume', (a) => setZone(a.volume as number)],
    [
      'setVolume',
      async (a) => {
        if (typeof a.type === 'string') return setBases(z, { [a.type]: a.volume as number });
        if (a.volumes && typeof a.volumes === 'object') return setBases(z, a.volumes as Record<string, number>);
        return setZone(a.volume as number);
      },
    ],
    [
      'setDuckingAdjustment',
      async (a) => {
        const requested = a.adjustValue as number;
        const final = Math.max(-100, Math.min(0, Math.round(requested)));
        z.duckingAdjust = final;
        z.stateChanged();
        const result = { adjustValue: final, requested };
        if (final === requested) return success(`ducking_adjust set to ${final}`, result);
        const clamped = warning(`ducking_adjust clamped to ${final} (requested ${requested})`, result);
        return { ...clamped, warning_type: requested > 0 ? 'clamp_ducking_adjust_high' : 'clamp_ducking_adjust_low' };
      },
    ],
  ];
}

function typesOf(z: Zone): readonly VolumeType[] {
  return VOLUME_TYPES.filter((t) => t !== 'video' || z.screen !== null);
}

/** Sets each named base; unknown types are reported, not fatal, unless none was valid (ParadoxFX's rule). */
async function setBases(z: Zone, volumes: Record<string, number>): Promise<HandlerResult> {
  const max = z.boot.zone.max_volume;
  const known = typesOf(z);
  const set: Record<string, number> = {};
  const clamped: string[] = [];
  const invalid: string[] = [];
  for (const [type, requested] of Object.entries(volumes)) {
    if (!(known as readonly string[]).includes(type)) {
      invalid.push(type);
      continue;
    }
    const value = Math.min(max, requested);
    if (value !== requested) clamped.push(type);
    if (type === 'background') await z.background.setBase(value);
    else z.bases[type as Exclude<VolumeType, 'background'>] = value;
    set[type] = value;
  }
  if (Object.keys(set).length === 0)
    return failed(
      'invalid_argument',
      `no valid volume type in ${JSON.stringify(Object.keys(volumes))}; types: ${known.join(', ')}`,
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
