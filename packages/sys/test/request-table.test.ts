import { describe, expect, it, jest } from '@jest/globals';
import { RequestTable } from '../src/index.js';

function table(maxId?: number) {
  return new RequestTable<string>({
    timeoutError: (c, ms) => new Error(`timeout ${c} ${ms}`),
    abortError: (c, reason) => new Error(`aborted ${c} ${String(reason)}`),
    ...(maxId === undefined ? {} : { maxId }),
  });
}

describe('RequestTable', () => {
  it('settles a reply taken by id and releases everything', async () => {
    const t = table();
    let sent = -1;
    const reply = t.open<string>({ context: 'a', timeoutMs: 1000 }, (id) => (sent = id));
    const taken = t.take(sent);
    if (typeof taken !== 'object') throw new Error('not taken');
    expect(taken.context).toBe('a');
    taken.resolve('ok');
    await expect(reply).resolves.toBe('ok');
    expect(t.size).toBe(0);
    expect(t.take(sent)).toBe('unknown');
  });

  it('tells a late reply (after a timeout) from an unknown one', async () => {
    jest.useFakeTimers();
    try {
      const t = table();
      let sent = -1;
      const reply = t.open({ context: 'slow', timeoutMs: 50 }, (id) => (sent = id));
      jest.advanceTimersByTime(50);
      await expect(reply).rejects.toThrow('timeout slow 50');
      expect(t.take(sent)).toBe('late');
      expect(t.take(sent)).toBe('unknown');
    } finally {
      jest.useRealTimers();
    }
  });

  it('re-arms a stream deadline on every partial message', async () => {
    jest.useFakeTimers();
    try {
      const t = table();
      const parts: unknown[] = [];
      let sent = -1;
      const reply = t.open({ context: 's', timeoutMs: 100, onPartial: (m) => parts.push(m) }, (id) => (sent = id));
      for (let i = 0; i < 5; i++) {
        jest.advanceTimersByTime(90);
        expect(t.partial(sent, i)).toBe(true);
      }
      const taken = t.take(sent);
      if (typeof taken !== 'object') throw new Error('stream timed out');
      taken.resolve('done');
      await expect(reply).resolves.toBe('done');
      expect(parts).toEqual([0, 1, 2, 3, 4]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fails on abort (before and after sending), on a throwing send and on failAll', async () => {
    const t = table();
    const pre = new AbortController();
    pre.abort('early');
    const send = jest.fn();
    await expect(t.open({ context: 'x', timeoutMs: 1000, signal: pre.signal }, send)).rejects.toThrow(
      'aborted x early',
    );
    expect(send).not.toHaveBeenCalled();

    const ac = new AbortController();
    const aborted = t.open({ context: 'y', timeoutMs: 1000, signal: ac.signal }, () => {});
    ac.abort('late');
    await expect(aborted).rejects.toThrow('aborted y late');

    await expect(
      t.open({ context: 'z', timeoutMs: 1000 }, () => {
        throw new Error('closed');
      }),
    ).rejects.toThrow('closed');

    const a = t.open({ context: 'a', timeoutMs: 1000 }, () => {});
    const b = t.open({ context: 'b', timeoutMs: 1000 }, () => {});
    t.failAll((c) => new Error(`gone ${c}`));
    await expect(a).rejects.toThrow('gone a');
    await expect(b).rejects.toThrow('gone b');
    expect(t.size).toBe(0);
  });

  it('wraps ids at maxId', async () => {
    const t = table(2);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = t.open({ context: '', timeoutMs: 1000 }, (id) => ids.push(id));
      t.fail(ids[i]!, new Error('done'));
      await expect(reply).rejects.toThrow('done');
    }
    expect(ids).toEqual([1, 2, 1]);
  });
});
