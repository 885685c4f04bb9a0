import { errorMessage } from '@mpvisor/sys';
/** Poll until the check returns a truthy value or the deadline passes (then throw with the label). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  label: string,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${last ? `: ${errorMessage(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
