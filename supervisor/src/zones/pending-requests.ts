import type { ErrorType, HandlerResult } from '@mpvisor/protocol';
import { errorMessage } from '@mpvisor/sys';

export interface RequestLimits {
  /** Requests sent to the worker and not yet answered. */
  maxInFlight: number;
  /** Requests waiting, in arrival order, for one in flight to be answered. */
  maxQueued: number;
}

/**
 * Per zone: a controller's burst is absorbed (sent as answers come back), a flood is refused at once
 * with `busy` instead of piling up in memory and in the worker socket's write buffer.
 */
export const REQUEST_LIMITS: RequestLimits = { maxInFlight: 16, maxQueued: 64 };

/** Puts one request on the wire; remainingMs is what is left of its time limit after waiting in line. */
export type SendRequest = (reqId: number, remainingMs: number) => void;

interface Entry {
  resolve: (r: HandlerResult) => void;
  timer: NodeJS.Timeout;
  deadline: number;
}

/**
 * Requests to one worker: at most maxInFlight sent and unanswered, at most maxQueued waiting behind
 * them, the rest answered `busy` at once. Each one settles exactly once: answered, timed out (its
 * limit counts from when it was opened, waiting included), refused, or failed with the worker.
 */
export class PendingRequests {
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();
  private readonly inFlight = new Set<number>();
  /** Insertion order is arrival order. */
  private readonly queued = new Map<number, SendRequest>();

  constructor(private readonly limits: RequestLimits = REQUEST_LIMITS) {}

  open(timeoutMs: number, send: SendRequest): Promise<HandlerResult> {
    if (this.inFlight.size >= this.limits.maxInFlight && this.queued.size >= this.limits.maxQueued) {
      const { maxInFlight, maxQueued } = this.limits;
      return Promise.resolve({
        outcome: 'failed',
        error_type: 'busy',
        message: `the zone has ${maxInFlight} requests in flight and ${maxQueued} waiting; try again later`,
      });
    }
    const reqId = this.nextId++;
    const promise = new Promise<HandlerResult>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(reqId, {
          outcome: 'failed',
          message: `worker did not answer within ${timeoutMs} ms`,
          error_type: 'timeout',
        });
      }, timeoutMs);
      this.entries.set(reqId, { resolve, timer, deadline: performance.now() + timeoutMs });
    });
    if (this.inFlight.size < this.limits.maxInFlight) this.dispatch(reqId, send);
    else this.queued.set(reqId, send);
    return promise;
  }

  settle(reqId: number, result: HandlerResult): void {
    const entry = this.entries.get(reqId);
    if (!entry) return;
    this.entries.delete(reqId);
    this.queued.delete(reqId);
    clearTimeout(entry.timer);
    if (this.inFlight.delete(reqId)) this.sendNext();
    entry.resolve(result);
  }

  failAll(errorType: ErrorType, message: string): void {
    this.queued.clear();
    for (const id of [...this.entries.keys()]) this.settle(id, { outcome: 'failed', message, error_type: errorType });
  }

  get size(): number {
    return this.entries.size;
  }

  private sendNext(): void {
    const next = this.queued.entries().next();
    if (next.done) return;
    const [reqId, send] = next.value;
    this.queued.delete(reqId);
    this.dispatch(reqId, send);
  }

  private dispatch(reqId: number, send: SendRequest): void {
    const entry = this.entries.get(reqId);
    if (!entry) return;
    this.inFlight.add(reqId);
    try {
      send(reqId, Math.max(1, Math.round(entry.deadline - performance.now())));
    } catch (err) {
      this.settle(reqId, {
        outcome: 'failed',
        error_type: 'internal',
        message: `request not sent to the worker: ${errorMessage(err)}`,
      });
    }
  }
}
