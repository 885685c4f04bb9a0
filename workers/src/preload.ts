import { resolveMediaFile } from '@mpvisor/config';
import type { SupervisorToWorker } from '@mpvisor/protocol';
import { errorMessage } from '@mpvisor/sys';
import type { MpvSlot } from './mpv-slot.js';
import type { Reporter } from './reporter.js';
import { loadAndAwait } from './roles/await-playback.js';
import { effectiveVolume } from './volume.js';

export type PreloadMessage = Extract<SupervisorToWorker, { type: 'preload' }>;

/** A zone's background loaded paused into a spare's background mpv, as the zone's resume would play it. */
export interface PreloadedBackground {
  /** The file's real path, as the zone's media lookup gives it. */
  path: string;
  loop: boolean;
  startS: number;
  volume: number;
}

const PRELOAD_TIMEOUT_MS = 3000;

/**
 * While a reset's old worker quits, a warm spare loads the zone's background paused at the position
 * the zone resumes at, on the zone's device (set first, so the stream never opens elsewhere) and at
 * the volume the zone will give it, so adopting the zone takes mpv's unpause (~2 ms to sound) instead
 * of a file load (~25 ms warmed, more on a busy machine). Paused, it is not heard until then.
 * Resolves null when nothing is preloaded (no background playing, a file that is not there, mpv
 * refusing it); the zone then loads it as usual. Never rejects.
 */
export async function preloadBackground(
  slot: MpvSlot,
  device: string | undefined,
  msg: PreloadMessage,
  reporter: Reporter,
): Promise<PreloadedBackground | null> {
  const bg = msg.resume.background;
  const client = slot.client;
  if (!bg || bg.status !== 'playing' || !client) return null;
  try {
    if (device) await client.setProperty('audio-device', device, { timeoutMs: PRELOAD_TIMEOUT_MS });
    const located = await resolveMediaFile(msg.zone.media_dir, bg.file);
    if (!located.ok) return null;
    // As the zone computes it for a resumed background: its master volume, the background's base, no duck yet.
    const volume = effectiveVolume(
      { zone: msg.resume.volume ?? 100, max: msg.zone.max_volume },
      msg.zone.background_volume,
    );
    const startS = bg.position_s !== null && bg.position_s > 0 ? bg.position_s : 0;
    const options = {
      'loop-file': bg.loop ? 'inf' : 'no',
      volume: String(volume),
      pause: 'yes',
      ...(startS > 0 ? { start: String(startS) } : {}),
    };
    const loaded = await loadAndAwait(client, located.path, options, PRELOAD_TIMEOUT_MS);
    if (loaded.ok) return { path: located.path, loop: bg.loop, startS, volume };
    reporter.debug('background not preloaded', { role: 'background', reason: loaded.reason });
  } catch (err) {
    reporter.debug('background not preloaded', { role: 'background', reason: errorMessage(err) });
  }
  return null;
}
