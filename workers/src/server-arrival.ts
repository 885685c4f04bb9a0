import type { MpvAudioOutput } from '@mpvisor/mpv';
import { PulseWatch } from '@mpvisor/pulse';
import type { AudioChoice } from './audio-output.js';
import type { Reporter } from './reporter.js';

export interface WaitingZone {
  switchAudio(choice: AudioChoice): Promise<void>;
}

/** Every mpv of a zone that waited on the null output moves to `output`, now that a server is there. */
export async function switchToServer(zone: WaitingZone, output: MpvAudioOutput, reporter: Reporter): Promise<void> {
  const label = output.device ?? 'pulse';
  try {
    await zone.switchAudio({ output, label, warning: null, pending: null });
    reporter.info(`audio server found: the zone plays to ${label} from now on`);
    reporter.send({ type: 'event', event: { type: 'output', state: 'server_found', detail: { output: label } } });
  } catch (err) {
    reporter.warn(`audio server found, but switching to ${label} failed: ${(err as Error).message}`);
  }
}

/**
 * A zone that started without an audio server plays to mpv's null output (commands work, nothing is
 * heard). One without a sink of its own (no OutputGuard) watches for a server here and, once one
 * answers, moves to the server's default sink. Returns the stop for the worker's exit.
 */
export function awaitAudioServer(
  zone: WaitingZone,
  audio: AudioChoice,
  env: NodeJS.ProcessEnv,
  reporter: Reporter,
): () => void {
  const pending = audio.pending;
  if (!pending) return () => undefined;
  const watch = new PulseWatch({
    env,
    onEvent: () => undefined,
    onServer: (up) => {
      if (!up) return;
      watch.stop();
      void switchToServer(zone, pending, reporter);
    },
  });
  watch.start();
  return () => watch.stop();
}
