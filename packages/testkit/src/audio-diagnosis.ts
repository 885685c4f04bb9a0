import { execFileSync } from 'node:child_process';
import type { PulseDaemon } from './pulse.js';

export interface AudioDiagnosisParts {
  /** The daemon under test (its processes and their stderr), if it was started. */
  daemon?: PulseDaemon;
  /** The supervisor's whole output (its workers log every output guard check at debug level). */
  log?: string;
  /** How many of the log's audio lines to show. Default 80. */
  logLines?: number;
}

/**
 * What a failed audio test needs to be understood afterwards, as one text: the daemon's processes
 * (one may have died) and their last stderr lines, where the server has every sink, stream and
 * capture (`pactl list short`), and the output guard's last checks and moves from the supervisor's log.
 * A flaky failure is seen once in many runs; without this it leaves only its assertion behind.
 */
export function describeAudio(what: string, parts: AudioDiagnosisParts): string {
  const { daemon, log } = parts;
  const out = [`--- ${what}`];
  if (daemon) {
    out.push(daemon.describe());
    const env = { ...process.env, ...daemon.env };
    for (const kind of ['sinks', 'sink-inputs', 'source-outputs']) {
      try {
        out.push(
          `pactl list short ${kind}:`,
          execFileSync('pactl', ['list', 'short', kind], { env, timeout: 5000 }).toString(),
        );
      } catch (err) {
        out.push(`pactl list short ${kind}: ${String(err)}`);
      }
    }
  }
  if (log !== undefined)
    out.push(
      ...log
        .split('\n')
        .filter((l) => /output guard|audio|combined|holding|sink/.test(l))
        .slice(-(parts.logLines ?? 80)),
    );
  return out.join('\n');
}

/**
 * Runs a test body; if it throws, prints describeAudio first (parts read at that moment), then rethrows.
 */
export async function explainingAudio<T>(
  what: string,
  parts: () => AudioDiagnosisParts,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    console.log(describeAudio(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, parts()));
    throw err;
  }
}
