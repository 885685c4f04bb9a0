import type { HandlerResult, WorkerCommandName, WorkerResume, ZoneArgs } from '@mpvisor/protocol';
import type { Reporter } from './reporter.js';
import { errorMessage } from '@mpvisor/sys';

/** The slice of the zone that resuming needs: its command handlers and its mpv slots by role. */
export interface ResumableZone {
  run<K extends WorkerCommandName>(command: K, args: ZoneArgs<K>): Promise<HandlerResult>;
  readonly slots: ReadonlyArray<{
    role: string;
    client: { setProperty(name: string, value: unknown): Promise<unknown> } | null;
  }>;
}

/**
 * Replays what the zone played when the previous supervisor stopped ({stateDir}/zones.json, handed
 * over in the bootstrap): zone volume, then background music at the saved position, paused if it was.
 * Goes through the zone's own command handlers, so the media folder check applies as for any command
 * (`start_s`, the saved position, and `start_paused` are arguments only this in-process call carries).
 * Failures are warnings: a missing file must not keep the zone from running.
 */
export async function resumeZone(
  zone: ResumableZone,
  resume: WorkerResume | undefined,
  reporter: Reporter,
): Promise<void> {
  if (!resume) return;
  const t0 = performance.now();
  try {
    if (typeof resume.volume === 'number') await zone.run('setVolume', { volume: resume.volume });
    const bg = resume.background;
    if (!bg) return;
    const startAt = bg.position_s !== null && bg.position_s > 0 ? { start_s: bg.position_s } : {};
    const paused = bg.status === 'paused' ? { start_paused: true } : {};
    const played = await zone.run('playBackground', { file: bg.file, loop: bg.loop, ...startAt, ...paused });
    if (played.outcome !== 'success' && played.outcome !== 'warning') {
      reporter.send({
        type: 'warning',
        message: `could not resume background ${bg.file}: ${played.message}`,
        error_type: played.error_type ?? 'media_error',
      });
      return;
    }
    reporter.info('resumed saved background', {
      role: 'background',
      file: bg.file,
      position_s: bg.position_s,
      status: bg.status,
      resume_ms: Math.round(performance.now() - t0),
    });
    reporter.send({
      type: 'event',
      event: {
        type: 'background',
        state: 'resumed',
        file: bg.file,
        detail: { position_s: bg.position_s, after: 'supervisor restart' },
      },
    });
  } catch (err) {
    reporter.send({
      type: 'warning',
      message: `could not resume saved state: ${errorMessage(err)}`,
      error_type: 'media_error',
    });
  }
}
