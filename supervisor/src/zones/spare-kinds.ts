import { videoArgs, type ZoneConfig } from '@mpvisor/config';
import type { SpareProfile } from '@mpvisor/protocol';
import { streamLatencyEnvironment } from '@mpvisor/pulse';

/**
 * At most this many kinds of spare (distinct mpv option sets) are kept warm, `warm_spares` of each:
 * every kind costs a worker and 2-3 idle mpv. Zones of further kinds cold-start.
 */
export const MAX_SPARE_KINDS = 3;

/** One kind of warm spare: the mpv options it starts with, and the zones it can stand in for. */
export interface SpareKind {
  /** Equal for two zones exactly when their mpv get the same options. */
  key: string;
  /** For logs and `status`: `audio`, `screen`, with a number when there are several of a sort. */
  label: string;
  profile: SpareProfile;
  /** What the kind's mpv add to their environment, as its zones' own mpv would (an isolated zone's latency). */
  env: Record<string, string>;
  zones: string[];
}

/**
 * Why a zone cannot take a spare (null: it can). Spares play to the host's shared audio output
 * (PulseAudio, else null), whose device alone can change at runtime.
 */
export function spareIneligible(zone: ZoneConfig): string | null {
  const d = zone.audio_device;
  if (d !== undefined && d !== 'pulse' && !d.startsWith('pulse/'))
    return `audio_device ${d} is not a PulseAudio device`;
  return null;
}

/** The options a zone's mpv are started with, as a spare must be (with their environment: the key of the zone's kind). */
function mpvOptions(zone: ZoneConfig): SpareProfile {
  return {
    audioArgs: [...zone.mpv_audio_options],
    video: zone.kind === 'screen' ? { args: videoArgs(zone), display: zone.display ?? null } : null,
  };
}

export function spareKey(zone: ZoneConfig): string {
  return JSON.stringify({ ...mpvOptions(zone), env: streamLatencyEnvironment(zone.isolate_output) });
}

/**
 * The kinds of spare these zones need, the most shared first (ties: config order), at most
 * MAX_SPARE_KINDS; `uncovered` lists the zones that will cold-start, and why.
 */
export function spareKinds(zones: readonly ZoneConfig[]): {
  kinds: SpareKind[];
  uncovered: Array<{ zone: string; reason: string }>;
} {
  const uncovered: Array<{ zone: string; reason: string }> = [];
  const groups = new Map<string, ZoneConfig[]>();
  for (const z of zones) {
    const reason = spareIneligible(z);
    if (reason) {
      uncovered.push({ zone: z.name, reason });
      continue;
    }
    const key = spareKey(z);
    groups.set(key, [...(groups.get(key) ?? []), z]);
  }
  const ranked = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [, members] of ranked.slice(MAX_SPARE_KINDS))
    for (const z of members)
      uncovered.push({ zone: z.name, reason: `more than ${MAX_SPARE_KINDS} distinct mpv option sets among the zones` });
  const seen = new Map<string, number>();
  const kinds = ranked.slice(0, MAX_SPARE_KINDS).map(([key, members]): SpareKind => {
    const options = mpvOptions(members[0]!);
    const sort = options.video ? 'screen' : 'audio';
    const n = (seen.get(sort) ?? 0) + 1;
    seen.set(sort, n);
    return {
      key,
      label: n === 1 ? sort : `${sort}-${n}`,
      profile: options,
      env: streamLatencyEnvironment(members[0]!.isolate_output),
      zones: members.map((z) => z.name),
    };
  });
  return { kinds, uncovered };
}
