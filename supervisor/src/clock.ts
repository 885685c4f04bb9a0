import { performance } from 'node:perf_hooks';

/** Monotonic time and timers, injected so restart storms can be tested in fake time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return t;
  },
  // Cast: The handle is what this clock's setTimeout returned.
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
