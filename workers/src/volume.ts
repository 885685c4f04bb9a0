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
export function itemBase(
  roleBase: number,
  args: { volume?: unknown; adjustVolume?: unknown; volumeAdjust?: unknown },
): { base: number; warning: string | null } {
  const volume = typeof args.volume === 'number' ? args.volume : undefined;
  const rawAdjust = args.adjustVolume ?? args.volumeAdjust;
  const adjust = typeof rawAdjust === 'number' ? rawAdjust : undefined;
  if (volume !== undefined) {
    return {
      base: volume,
      warning: adjust !== undefined ? 'both volume and adjustVolume given: volume wins, adjustVolume ignored' : null,
    };
  }
  if (adjust !== undefined) return { base: roleBase * (1 + adjust / 100), warning: null };
  return { base: roleBase, warning: null };
}

/**
 * Independent ducks on the background (speech, video, and callers' own ids). They do not add up:
 * the strongest one applies, so releasing one leaves the others' effect intact.
 */
export class Ducks {
  private readonly active = new Map<string, number>();

  constructor(private readonly apply: (strongest: number) => Promise<void>) {}

  get strongest(): number {
    return Math.min(0, ...this.active.values());
  }

  has(id: string): boolean {
    return this.active.has(id);
  }

  get ids(): string[] {
    return [...this.active.keys()];
  }

  async set(id: string, percent: number): Promise<void> {
    this.active.set(id, percent);
    await this.apply(this.strongest);
  }

  /** Releases the given ducks (unknown ids are ignored); returns how many were active. */
  async release(ids: string[]): Promise<number> {
    const released = ids.filter((id) => this.active.delete(id)).length;
    await this.apply(this.strongest);
    return released;
  }
}
