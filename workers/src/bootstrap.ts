import type { Readable } from 'node:stream';
import {
  formatIssues,
  spareBootstrapSchema,
  workerBootstrapSchema,
  type AnyWorkerBootstrap,
  type WorkerBootstrap,
} from '@mpvisor/protocol';

export type Bootstrap = WorkerBootstrap;
/** A zone worker's bootstrap, or a warm spare's (`zone: null`). */
export type AnyBootstrap = AnyWorkerBootstrap;

/** A zone's config is a few kB; anything near this is not a bootstrap. */
const MAX_BOOTSTRAP_BYTES = 1024 * 1024;
const HAND_STARTED = 'zone workers are started by `mpvisor run`, not by hand';

/**
 * The first line of stdin: the supervisor writes it right after spawning, then keeps the pipe open
 * (its EOF tells the worker the supervisor is gone). The stream keeps flowing afterwards.
 */
export function readBootstrap(input: Readable = process.stdin, timeoutMs = 5000): Promise<AnyBootstrap> {
  return new Promise((resolve, reject) => {
    // Bytes until the newline: a multi-byte character of a media path may span two chunks.
    let pending = Buffer.alloc(0);
    const finish = (outcome: () => void): void => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', onEnd);
      outcome();
    };
    const onData = (chunk: Buffer | string): void => {
      pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
      const nl = pending.indexOf(0x0a);
      if (nl >= 0) {
        finish(() => {
          try {
            resolve(parseBootstrap(pending.subarray(0, nl).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      } else if (pending.length > MAX_BOOTSTRAP_BYTES) {
        finish(() => reject(new Error(`the bootstrap line on stdin exceeds ${MAX_BOOTSTRAP_BYTES} bytes`)));
      }
    };
    const onEnd = (): void => finish(() => reject(new Error(`stdin ended before a bootstrap line: ${HAND_STARTED}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no bootstrap line on stdin within ${timeoutMs} ms: ${HAND_STARTED}`))),
      timeoutMs,
    );
    input.on('data', onData);
    input.on('end', onEnd);
  });
}

function parseBootstrap(line: string): AnyBootstrap {
  const raw: unknown = JSON.parse(line);
  const spare = typeof raw === 'object' && raw !== null && 'zone' in raw && raw.zone === null;
  const parsed = spare ? spareBootstrapSchema.safeParse(raw) : workerBootstrapSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`the bootstrap on stdin is not valid: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
