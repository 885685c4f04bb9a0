import { parseConfigText } from '@mpvisor/config';
import type { MpvClient } from '@mpvisor/mpv';
import { parseSupervisorMessage } from '@mpvisor/protocol';

/** Opened to warm the demuxers: no sound, no audio stream, and the probe fails at once. */
const WARM_UP_INPUT = '/dev/null';

/**
 * An mpv's first file open pays a one-off cost: libavformat probing every demuxer for the first time in
 * that process (~60 ms of a loadfile -> playback-restart of ~75 ms measured on a 2-core machine; ~25 ms
 * once any file has been probed, docs/benchmarks.md "Resets on the sink"). A warm spare takes that cost
 * while it waits, so the zone that adopts it starts its music without it. mpv's log is muted meanwhile:
 * its "Failed to recognize file format" is expected here, not a warning worth reporting.
 */
export async function warmDemuxers(client: MpvClient, timeoutMs: number): Promise<void> {
  const level = await client.getProperty<Record<string, string>>('msg-level', { timeoutMs });
  let done = () => {};
  const ended = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const onEnd = () => resolve();
    client.on('end-file', onEnd);
    done = () => {
      clearTimeout(timer);
      client.off('end-file', onEnd);
    };
  });
  try {
    await client.setProperty('msg-level', { all: 'no' }, { timeoutMs });
    await client.loadfile(WARM_UP_INPUT, 'replace', {}, { timeoutMs });
    await ended;
  } finally {
    done();
    await client.setProperty('msg-level', level, { timeoutMs });
  }
}

/**
 * A spare's first `preload` or `adopt` is the first message carrying a zone configuration it parses,
 * and zod pays its one-off cost then: ~13 ms for the first parse and ~5 ms for the second on an idle
 * 2-core machine (0.2-0.4 ms once warm), 2-3 times that when busy, all of it between a crash or reset
 * and the music. A spare parses a sample of each (a zone of the built-in defaults) a few times while it
 * waits instead.
 */
export function warmMessageParsing(): void {
  const { config } = parseConfigText('[audio:warm-up]', { env: {} });
  const zone = config?.zones[0];
  if (!zone) return;
  const resume = { background: { file: WARM_UP_INPUT, status: 'playing', loop: true, position_s: 1 }, volume: 100 };
  const samples = [
    { type: 'preload', zone, resume },
    { type: 'adopt', zone, heartbeat_interval_ms: 1000, resume },
  ];
  for (let i = 0; i < 3; i++) for (const sample of samples) parseSupervisorMessage(structuredClone(sample));
}
