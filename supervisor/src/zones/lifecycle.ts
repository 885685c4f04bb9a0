import type { ZoneLifecycle } from '@mpvisor/protocol';

/** A zone's lifecycle state, and who waits for it to settle (anything but starting or restarting). */
export class Lifecycle {
  private current: ZoneLifecycle = 'stopped';
  private waiters: Array<() => void> = [];

  constructor(private readonly changed: () => void) {}

  get value(): ZoneLifecycle {
    return this.current;
  }

  /** Ready or degraded: a worker is there to answer. */
  get live(): boolean {
    return this.current === 'ready' || this.current === 'degraded';
  }

  set(next: ZoneLifecycle): void {
    if (next === this.current) return;
    this.current = next;
    if (next !== 'starting' && next !== 'restarting') {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
    this.changed();
  }

  /** Resolves once the zone is ready, failed or stopped; the bound is the caller's. */
  settled(): Promise<void> {
    if (this.current !== 'starting' && this.current !== 'restarting') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
