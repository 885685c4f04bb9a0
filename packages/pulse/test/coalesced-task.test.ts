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

  it('an urgent request is not held back by a later run already planned, also when it comes during a run', async () => {
    jest.useFakeTimers();
    let runs = 0;
    let release: () => void = () => undefined;
    let settle = false;
    const task = new CoalescedTask(
      () => {
        runs++;
        return new Promise<void>((r) => {
          release = () => {
            // The run asks to look again once things have settled, as the output guard does after a move.
            if (settle) task.schedule(300);
            r();
          };
        });
      },
      () => undefined,
    );
    task.schedule(300);
    task.schedule(30);
    await jest.advanceTimersByTimeAsync(30);
    expect(runs).toBe(0);
    task.schedule(30, true);
    await jest.advanceTimersByTimeAsync(30);
    expect(runs).toBe(1);
    settle = true;
    task.schedule(0, true);
    await jest.advanceTimersByTimeAsync(10);
    release();
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
    settle = false;
    release();
    await jest.advanceTimersByTimeAsync(10);
    task.schedule(0);
    settle = true;
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(3);
    // A plain request during a run waits for the settle delay that run asks for.
    task.schedule(0);
    await jest.advanceTimersByTimeAsync(1);
    release();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    await jest.advanceTimersByTimeAsync(300);
    expect(runs).toBe(4);
    release();
    await task.stop();
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
