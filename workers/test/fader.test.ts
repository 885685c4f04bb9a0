import { describe, expect, it } from '@jest/globals';
import type { MpvClient } from '@mpvisor/mpv';
import { Fader } from '../src/roles/fader.js';

/** Records the volumes written; a fake for the pure stepping and cancellation logic (mpv itself: slot-races.int.test.ts). */
function recorder() {
  const written: number[] = [];
  const client = {
    setProperty: async (_name: string, value: number) => void written.push(value),
  } as unknown as MpvClient;
  return { written, client };
}

describe('Fader: one fade per player', () => {
  it('ramps to the target in steps and reports that it got there', async () => {
    const { written, client } = recorder();
    expect(await new Fader().run(client, 0, 100, 0.2)).toBe(true);
    expect(written).toHaveLength(4);
    expect(written.at(-1)).toBe(100);
    expect(written).toEqual([...written].sort((a, b) => a - b));
  });

  it('cancel() stops the fade before its next step: nothing is written after it', async () => {
    const { written, client } = recorder();
    const fader = new Fader();
    const fade = fader.run(client, 0, 100, 1);
    await new Promise((r) => setTimeout(r, 180));
    fader.cancel();
    const count = written.length;
    expect(await fade).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(written).toHaveLength(count);
    expect(count).toBeLessThan(20);
  });

  it('a new fade cancels the running one', async () => {
    const a = recorder();
    const b = recorder();
    const fader = new Fader();
    const first = fader.run(a.client, 0, 100, 1);
    await new Promise((r) => setTimeout(r, 120));
    const second = fader.run(b.client, 50, 0, 0.1);
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(b.written.at(-1)).toBe(0);
  });

  it('a fade of 0 s only cancels what runs', async () => {
    const { written, client } = recorder();
    expect(await new Fader().run(client, 0, 100, 0)).toBe(true);
    expect(written).toEqual([]);
  });
});
