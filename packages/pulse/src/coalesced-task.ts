/**
 * A check that events ask for: runs after a short delay, never overlaps itself, and a request made
 * while it runs makes it run once more afterwards (bursts of server events become one or two runs).
 */
export class CoalescedTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly onError: (err: Error) => void,
  ) {}

  schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) {
        this.again = true;
        return;
      }
      this.running = this.run()
        .catch(this.onError)
        .finally(() => {
          this.running = null;
          if (this.again) {
            this.again = false;
            this.schedule(0);
          }
        });
    }, delayMs);
  }

  /** No more runs; resolves when the one under way (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
