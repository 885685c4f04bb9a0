import { describe, expect, it, jest } from '@jest/globals';
import { CoalescedTask } from '@mpvisor/pulse';

describe('a check that events ask for', () => {
  it('a burst of requests is one run; a request during a run is one more run after it; never two at once', async () => {
    jest.useFakeTimers();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const task = new CoalescedTask(
      () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        return new Promise<void>((r) => (release = () => (active--, r())));
      },
      () => undefined,
    );
    for (let i = 0; i < 5; i++) task.schedule(30);
    await jest.advanceTimersByTimeAsync(30);
    expect(runs).toBe(1);
    task.schedule(0);
    task.schedule(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
    release();
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    await task.stop();
    task.schedule(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
    jest.useRealTimers();
  });

  it('a failed run is reported and the task goes on', async () => {
    const errors: string[] = [];
    let runs = 0;
    const task = new CoalescedTask(
      async () => {
        runs++;
        throw new Error(`boom ${runs}`);
      },
      (err) => errors.push(err.message),
    );
    task.schedule(0);
    await new Promise((r) => setTimeout(r, 20));
    task.schedule(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toEqual(['boom 1', 'boom 2']);
    await task.stop();
  });
});
