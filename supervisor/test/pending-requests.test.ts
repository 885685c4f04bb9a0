import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { HandlerResult } from '@mpvisor/protocol';
import { PendingRequests } from '../src/zones/pending-requests.js';

const ok: HandlerResult = { outcome: 'success', message: 'ok' };

describe('PendingRequests: a window of requests to one worker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Opens a request and records when it is put on the wire. */
  function opener(p: PendingRequests) {
    const sent: number[] = [];
    const open = (timeoutMs = 10_000) => p.open(timeoutMs, (reqId) => sent.push(reqId));
    return { sent, open };
  }

  it('sends up to maxInFlight at once, queues up to maxQueued in arrival order, refuses the rest with busy at once', async () => {
    const p = new PendingRequests({ maxInFlight: 2, maxQueued: 2 });
    const { sent, open } = opener(p);
    const results = Array.from({ length: 6 }, () => open());
    expect(sent).toEqual([1, 2]);
    await expect(results[4]).resolves.toMatchObject({ outcome: 'failed', error_type: 'busy' });
    await expect(results[5]).resolves.toMatchObject({ outcome: 'failed', error_type: 'busy' });
    expect(p.size).toBe(4);

    p.settle(2, ok);
    expect(sent).toEqual([1, 2, 3]);
    p.settle(1, ok);
    expect(sent).toEqual([1, 2, 3, 4]);
    await expect(results[0]).resolves.toEqual(ok);
    await expect(results[1]).resolves.toEqual(ok);
    // Room again: a new request goes straight out.
    p.settle(3, ok);
    const later = open();
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    p.settle(4, ok);
    p.settle(5, ok);
    await expect(later).resolves.toEqual(ok);
    expect(p.size).toBe(0);
  });

  it('times a request from when it was opened, waiting included; a queued one that times out is never sent', async () => {
    const p = new PendingRequests({ maxInFlight: 1, maxQueued: 4 });
    const remaining: number[] = [];
    const first = p.open(1000, () => {});
    const second = p.open(1000, (_id, ms) => remaining.push(ms));
    const third = p.open(300, () => remaining.push(-1));
    jest.advanceTimersByTime(400);
    await expect(third).resolves.toMatchObject({ outcome: 'failed', error_type: 'timeout' });
    p.settle(1, ok);
    await expect(first).resolves.toEqual(ok);
    expect(remaining).toHaveLength(1);
    expect(remaining[0]).toBeGreaterThan(0);
    expect(remaining[0]).toBeLessThanOrEqual(1000);
    jest.advanceTimersByTime(1000);
    await expect(second).resolves.toMatchObject({ outcome: 'failed', error_type: 'timeout' });
    expect(p.size).toBe(0);
  });

  it('settles each request exactly once: a late answer after a timeout, or a second answer, changes nothing', async () => {
    const p = new PendingRequests({ maxInFlight: 1, maxQueued: 0 });
    const r = p.open(100, () => {});
    jest.advanceTimersByTime(100);
    p.settle(1, ok);
    p.settle(1, ok);
    await expect(r).resolves.toMatchObject({ error_type: 'timeout' });
  });

  it('fails everything, in flight and waiting, when the worker goes, and sends nothing more', async () => {
    const p = new PendingRequests({ maxInFlight: 1, maxQueued: 2 });
    const { sent, open } = opener(p);
    const all = [open(), open(), open()];
    p.failAll('zone_unavailable', 'worker exited');
    for (const r of all) await expect(r).resolves.toMatchObject({ outcome: 'failed', error_type: 'zone_unavailable' });
    expect(sent).toEqual([1]);
    expect(p.size).toBe(0);
  });

  it('a request that cannot be written fails at once and frees its place', async () => {
    const p = new PendingRequests({ maxInFlight: 1, maxQueued: 1 });
    const bad = p.open(1000, () => {
      throw new Error('IPC_ENCODE');
    });
    await expect(bad).resolves.toMatchObject({ outcome: 'failed', error_type: 'internal' });
    const sent: number[] = [];
    p.open(1000, (id) => sent.push(id));
    expect(sent).toEqual([2]);
  });
});
