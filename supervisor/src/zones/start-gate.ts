/**
 * At most `limit` zones start their first worker at once; the others wait their turn. A start is
 * CPU-bound (Node loading a worker, each mpv starting), and on a small machine 16 zones started
 * together (85 processes) starve each other until mpv misses its 5 s IPC bound, workers fail and
 * restart, and the zones never all come up (docs/benchmarks.md, Footprint). In waves, each start gets
 * the CPU it needs and the total is about the same.
 */
export class StartGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /**
   * Runs start() now, or once a place frees. Returns leave(): frees the place once the start is over
   * (ready or exited), or drops a start still waiting (stopped or reset before its turn). Idempotent.
   */
  enter(start: () => void): () => void {
    let where: 'waiting' | 'in' | 'out' = 'waiting';
    const run = () => {
      where = 'in';
      this.active++;
      start();
    };
    if (this.active < this.limit) run();
    else this.waiting.push(run);
    return () => {
      if (where === 'waiting') this.waiting.splice(this.waiting.indexOf(run), 1);
      else if (where === 'in') {
        this.active--;
        this.next();
      }
      where = 'out';
    };
  }

  get starting(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private next(): void {
    while (this.active < this.limit && this.waiting.length > 0) this.waiting.shift()!();
  }
}
