import { randomUUID } from 'node:crypto';
import type { FleetMessage } from './classify.js';
import type { OutcomeView, ResetStatusView } from './messages.js';

export interface CommandRequest {
  /** The zone or system topic (without `/commands`). */
  topic: string;
  payload: Record<string, unknown>;
  timeoutMs: number;
  onProgress?: (status: ResetStatusView) => void;
}

interface Pending {
  topic: string;
  resolve: (outcome: OutcomeView) => void;
  onProgress: ((status: ResetStatusView) => void) | undefined;
}

export type Publish = (topic: string, payload: string) => Promise<void>;

/**
 * Sends commands with fresh ids and settles each with exactly one outcome: the one the supervisor
 * publishes on that topic's events with the same id, or a local `timeout` / `unreachable` outcome when
 * none comes in time. The caller feeds every broker message through `handle`.
 */
export class CommandSender {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly publish: Publish,
    private readonly idPrefix = 'console',
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  send(req: CommandRequest): { id: string; outcome: Promise<OutcomeView> } {
    const id = `${this.idPrefix}-${randomUUID().slice(0, 13)}`;
    const command = typeof req.payload.command === 'string' ? req.payload.command : null;
    const local = (error_type: string, message: string): OutcomeView => ({
      type: 'command',
      command,
      id,
      zone: null,
      outcome: 'failed',
      message,
      error_type,
      result: null,
      duration_ms: req.timeoutMs,
    });
    const outcome = new Promise<OutcomeView>((resolve) => {
      const timer = setTimeout(
        () => settle(local('timeout', `no outcome on ${req.topic}/events within ${req.timeoutMs} ms`)),
        req.timeoutMs,
      );
      const settle = (o: OutcomeView) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        resolve(o);
      };
      this.pending.set(id, { topic: req.topic, resolve: settle, onProgress: req.onProgress });
      this.publish(`${req.topic}/commands`, JSON.stringify({ ...req.payload, id })).catch((err: Error) =>
        settle(local('unreachable', `publish to ${req.topic}/commands failed: ${err.message}`)),
      );
    });
    return { id, outcome };
  }

  handle(msg: FleetMessage): void {
    if (msg.kind === 'outcome' && msg.outcome.id !== null) {
      const p = this.pending.get(msg.outcome.id);
      if (p && p.topic === msg.parent) p.resolve(msg.outcome);
    } else if (msg.kind === 'reset_status' && msg.status.id !== null) {
      this.pending.get(msg.status.id)?.onProgress?.(msg.status);
    }
  }
}
