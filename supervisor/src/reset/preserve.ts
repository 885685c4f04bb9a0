import type { WorkerResume } from '@mpvisor/protocol';
import { collectMedia } from '../service/shutdown-steps.js';
import { resumeOf } from '../state-store.js';
import type { ZoneRunner } from '../zones/zone-runner.js';
import { z } from 'zod';

/** getMpvProperty's answer when mpv has a number for it (time-pos is absent while nothing plays). */
const mpvNumberSchema = z.object({ value: z.number().finite() });

const live = (r: ZoneRunner) => r.state === 'ready' || r.state === 'degraded';

/**
 * What each zone's next worker should replay (preserve_state): background file, loop, paused, volume.
 * The position in a state report is up to a heartbeat old, so mpv itself is asked right before the kill.
 * Zones with nothing to replay are left out.
 */
export async function preserveMedia(runners: readonly ZoneRunner[]): Promise<Map<string, WorkerResume>> {
  const media = await collectMedia(runners, 500);
  const resumes = new Map<string, WorkerResume>();
  await Promise.all(
    runners.map(async (r) => {
      const saved = resumeOf(media.get(r.name) ?? r.snapshot());
      if (saved.background && live(r)) {
        const pos = await r
          .request('getMpvProperty', { role: 'background', property: 'time-pos' }, null, 300)
          .catch(() => null);
        const read = mpvNumberSchema.safeParse(pos?.outcome === 'success' ? pos.result : null);
        if (read.success) saved.background.position_s = Math.round(read.data.value * 1000) / 1000;
      }
      if (saved.background || saved.volume !== undefined) resumes.set(r.name, saved);
    }),
  );
  return resumes;
}
