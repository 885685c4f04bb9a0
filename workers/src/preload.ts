import { resolveMediaFile } from '@mpvisor/config';
import type { SupervisorToWorker } from '@mpvisor/protocol';
import { adoptedClientName } from '@mpvisor/pulse';
import { errorMessage } from '@mpvisor/sys';
import type { MpvClient } from '@mpvisor/mpv';
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
 * the zone resumes at, on the zone's device and at the volume the zone will give it, so adopting the
 * zone takes mpv's unpause (~2 ms to sound) instead of a file load (~25 ms warmed, more on a busy
 * machine). Paused, it is not heard until then. The device is asked for first, on the call and
 * whatever follows, so the adoption need not set it again (see finishAdoption). Resolves null when
 * nothing is preloaded (no background playing, a file that is not there, mpv refusing it); the zone then
 * loads it as usual. Never rejects.
 */
export async function preloadBackground(
  client: MpvClient,
  device: string | undefined,
  msg: PreloadMessage,
  reporter: Reporter,
): Promise<PreloadedBackground | null> {
  // The zone's client name before the file opens the audio output: mpv names the stream when it opens it.
  const named = client.setProperty('audio-client-name', adoptedClientName(msg.zone.name, 'background'), {
    timeoutMs: PRELOAD_TIMEOUT_MS,
  });
  const placed = device ? client.setProperty('audio-device', device, { timeoutMs: PRELOAD_TIMEOUT_MS }) : null;
  const bg = msg.resume.background;
  try {
    const located = bg?.status === 'playing' ? await resolveMediaFile(msg.zone.media_dir, bg.file) : null;
    await Promise.all([named, placed]);
    if (!bg || !located?.ok) return null;
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
