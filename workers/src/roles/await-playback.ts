import type { MpvClient, MpvEndFileEvent } from '@mpvisor/mpv';
import { errorMessage } from '@mpvisor/sys';

/** entryId matches end-file's playlist_entry_id, so a later end-file can be told apart from this one. */
export type PlaybackStart = { ok: true; entryId: number | undefined } | { ok: false; reason: string };

/**
 * Load a file and wait for mpv to say it plays (playback-restart) or that it cannot (end-file error),
 * so a command's outcome reports what mpv really did rather than that a request was queued.
 */
export async function loadAndAwait(
  client: MpvClient,
  path: string,
  options: Record<string, string>,
  timeoutMs: number,
): Promise<PlaybackStart> {
  let cleanup = () => {};
  let entryId: number | undefined;
  const started = new Promise<PlaybackStart>((resolve) => {
    const onRestart = () => resolve({ ok: true, entryId });
    const onEnd = (ev: MpvEndFileEvent) => {
      if (ev.reason === 'error')
        resolve({ ok: false, reason: `mpv could not play ${path}: ${ev.file_error ?? 'error'}` });
    };
    const timer = setTimeout(
      () => resolve({ ok: false, reason: `mpv did not start ${path} within ${timeoutMs} ms` }),
      timeoutMs,
    );
    client.on('playback-restart', onRestart);
    client.on('end-file', onEnd);
    cleanup = () => {
      clearTimeout(timer);
      client.off('playback-restart', onRestart);
      client.off('end-file', onEnd);
    };
  });
  try {
    entryId = await client.loadfile(path, 'replace', options, { timeoutMs });
    const result = await started;
    return result.ok ? { ok: true, entryId } : result;
  } catch (err) {
    return { ok: false, reason: `mpv refused ${path}: ${errorMessage(err)}` };
  } finally {
    cleanup();
  }
}
