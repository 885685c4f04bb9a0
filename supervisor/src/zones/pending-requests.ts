import type { ErrorType, HandlerResult } from '@mpvisor/protocol';

/** Requests sent to a worker and not yet answered; each one settles exactly once. */
export class PendingRequests {
  private nextId = 1;
  private readonly open_ = new Map<number, { resolve: (r: HandlerResult) => void; timer: NodeJS.Timeout }>();

  open(timeoutMs: number): { reqId: number; promise: Promise<HandlerResult> } {
    const reqId = this.nextId++;
    const promise = new Promise<HandlerResult>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(reqId, { outcome: 'failed', message: `worker did not answer within ${timeoutMs} ms`, error_type: 'timeout' });
      }, timeoutMs);
      this.open_.set(reqId, { resolve, timer });
    });
    return { reqId, promise };
  }

  settle(reqId: number, result: HandlerResult): void {
    const entry = this.open_.get(reqId);
    if (!entry) return;
    this.open_.delete(reqId);
    clearTimeout(entry.timer);
    entry.resolve(result);
  }

  failAll(errorType: ErrorType, message: string): void {
    for (const id of [...this.open_.keys()]) this.settle(id, { outcome: 'failed', message, error_type: errorType });
  }

  get size(): number {
    return this.open_.size;
  }
}
