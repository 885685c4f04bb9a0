import type { MpvClient } from '@mpvisor/mpv';

const STEPS_PER_SECOND = 20;

/**
 * The one volume fade of an mpv slot. A new fade cancels the running one, and so must every command
 * that sets the volume itself (play, volume, duck, stop): cancel() before its own write, so no step of
 * the old fade lands after it and overrides what the later command set.
 */
export class Fader {
  private running: { cancelled: boolean } | null = null;

  cancel(): void {
    if (this.running) this.running.cancelled = true;
    this.running = null;
  }

  /** Ramps mpv's volume in small steps; true when it reached `to`, false when cancelled or mpv went away. */
  async run(client: MpvClient, from: number, to: number, seconds: number): Promise<boolean> {
    this.cancel();
    if (seconds <= 0) return true;
    const me = { cancelled: false };
    this.running = me;
    const steps = Math.max(1, Math.round(seconds * STEPS_PER_SECOND));
    try {
      for (let i = 1; i <= steps; i++) {
        await new Promise((r) => setTimeout(r, (seconds * 1000) / steps));
        if (me.cancelled) return false;
        await client.setProperty('volume', from + ((to - from) * i) / steps, { timeoutMs: 500 });
      }
      return true;
    } catch {
      return false;
    } finally {
      if (this.running === me) this.running = null;
    }
  }
}
