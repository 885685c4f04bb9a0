/**
 * ParadoxFX's unified volume model: each role has a base volume (0-200); the zone volume scales all
 * roles; ducking lowers only the background, by a percentage; max_volume clamps the result.
 */
export interface VolumeModel {
  zone: number;
  max: number;
}

export function effectiveVolume(model: VolumeModel, roleBase: number, duckPercent = 0): number {
  const v = roleBase * (model.zone / 100) * (1 + duckPercent / 100);
  return Math.max(0, Math.min(model.max, Math.round(v)));
}

/** `volume` replaces the role base; `adjustVolume` scales it by a percentage; both: volume wins, with a warning. */
export function itemBase(roleBase: number, args: { volume?: unknown; adjustVolume?: unknown }): { base: number; warning: string | null } {
  const volume = typeof args.volume === 'number' ? args.volume : undefined;
  const adjust = typeof args.adjustVolume === 'number' ? args.adjustVolume : undefined;
  if (volume !== undefined) {
    return { base: volume, warning: adjust !== undefined ? 'both volume and adjustVolume given: volume wins, adjustVolume ignored' : null };
  }
  if (adjust !== undefined) return { base: roleBase * (1 + adjust / 100), warning: null };
  return { base: roleBase, warning: null };
}
