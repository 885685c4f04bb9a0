import { errorMessage } from '@mpvisor/sys';
import type { MpvSlot } from './mpv-slot.js';
import type { Reporter } from './reporter.js';

const MPV_TIMEOUT_MS = 1000;

/**
 * Mutes or unmutes the streams of these mpv through their own server connection (`ao-mute`): no
 * process to start, so it reaches the server before a pactl call could. Resolves with the pids whose
 * mpv confirmed it.
 */
export async function setStreamMute(slots: readonly MpvSlot[], on: boolean): Promise<number[]> {
  const done = await Promise.all(
    slots.map(async (slot) => {
      const { client, pid } = slot;
      if (!client || pid === null) return null;
      return client.setProperty('ao-mute', on, { timeoutMs: MPV_TIMEOUT_MS }).then(
        () => pid,
        () => null,
      );
    }),
  );
  return done.filter((pid) => pid !== null);
}

/**
 * mpv that have no stream now (idle, or between items; not in `playing`) open their next one on
 * `device`. Returns how many changed.
 */
export async function pointIdle(
  slots: readonly MpvSlot[],
  device: string,
  playing: ReadonlySet<number>,
  reporter: Reporter,
): Promise<number> {
  const changes = slots.map(async (slot) => {
    const client = slot.client;
    if (!client || slot.pid === null || playing.has(slot.pid)) return 0;
    try {
      if ((await client.getProperty<string>('audio-device', { timeoutMs: MPV_TIMEOUT_MS })) === device) return 0;
      await client.setProperty('audio-device', device, { timeoutMs: MPV_TIMEOUT_MS });
      return 1;
    } catch (err) {
      reporter.warn(`could not point mpv ${slot.role} at ${device}: ${errorMessage(err)}`, { role: slot.role });
      return 0;
    }
  });
  return (await Promise.all(changes)).reduce((a: number, b) => a + b, 0);
}
