import type { RestartPolicyConfig } from '@mpvisor/config';
import type { Clock } from '../clock.js';

export interface WatchdogOptions {
  clock: Clock;
  policy: RestartPolicyConfig;
  /** A deadline passed; the reason is what the zone's errors and last_exit will say. */
  expire: (reason: string) => void;
}

/**
 * One worker's two deadlines: ready within startup_timeout_ms (a worker that never says so is killed:
 * readiness fails closed), then a heartbeat at least every heartbeat_timeout_ms.
 */
export class Watchdogs {
  private startup: unknown = null;
  private heartbeat: unknown = null;

  constructor(private readonly o: WatchdogOptions) {}

  armStartup(via: 'cold' | 'spare'): void {
    const ms = this.o.policy.startup_timeout_ms;
    const what = via === 'spare' ? 'adopted spare not ready' : 'not ready';
    this.startup = this.o.clock.setTimeout(() => this.o.expire(`${what} within startup_timeout_ms (${ms} ms)`), ms);
  }

  /** The startup deadline is met; from now on heartbeats count. */
  ready(): void {
    this.o.clock.clearTimeout(this.startup);
    this.beat();
  }

  beat(): void {
    const { clock, policy } = this.o;
    clock.clearTimeout(this.heartbeat);
    this.heartbeat = clock.setTimeout(
      () => this.o.expire(`no heartbeat for ${policy.heartbeat_timeout_ms} ms`),
      policy.heartbeat_timeout_ms,
    );
  }

  disarm(): void {
    this.o.clock.clearTimeout(this.startup);
    this.o.clock.clearTimeout(this.heartbeat);
  }
}
