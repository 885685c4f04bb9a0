/**
 * A check that events ask for: runs after a short delay, never overlaps itself, and a request made
 * while it runs makes it run once more afterwards (bursts of server events become one or two runs).
 */
export class CoalescedTask {
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private urgent = false;
  private running: Promise<void> | null = null;
  private again = false;
  private againUrgent = false;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly onError: (err: Error) => void,
  ) {}

  /**
   * Run after `delayMs`. An `urgent` request (something to act on, not just to look at again) is not
   * held back by a later run already planned, such as a run's own settle delay: it runs at its time.
   */
  schedule(delayMs: number, urgent = false): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.timer) {
      if (!urgent || due >= this.due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.urgent = urgent;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) {
        this.again = true;
        this.againUrgent ||= this.urgent;
        return;
      }
      this.running = this.run()
        .catch(this.onError)
        .finally(() => {
          this.running = null;
          if (this.again) {
            const urgentAgain = this.againUrgent;
            this.again = false;
            this.againUrgent = false;
            this.schedule(0, urgentAgain);
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
