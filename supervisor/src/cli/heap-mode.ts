import { setFlagsFromString } from 'node:v8';

/**
 * Asks V8 to give memory back to the system once a burst is over. From V8 13 (Node 24) the heap's freed
 * pages stay resident after a command flood (live heap back to ~4 MB, RSS still +80 MB in a 20-line
 * reproduction, +30-40 MB for the supervisor after a 10,000-command duck flood) unless memory saver mode
 * is on; Node 20 and 22 return them by themselves and do not know the flag. The supervisor is a control
 * plane with a small live heap, so the extra GC work this costs is cheap (see docs/benchmarks.md).
 */
export function preferSmallHeap(): void {
  if (Number(process.versions.v8.split('.')[0]) >= 13) setFlagsFromString('--memory-saver-mode');
}
