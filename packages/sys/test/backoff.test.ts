import { describe, expect, it } from '@jest/globals';
import { backoffBase, backoffDelay, withJitter } from '../src/index.js';

const b = { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0.5 };

describe('backoff', () => {
  it('grows by the factor from initialMs and stops at maxMs', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffBase(b, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads by +-jitter and never goes above maxMs', () => {
    expect(withJitter(400, 0.5, () => 0)).toBe(200);
    expect(withJitter(400, 0.5, () => 1)).toBe(600);
    expect(withJitter(0, 0.5, () => 1)).toBe(0);
    expect(withJitter(400, 0, () => 1)).toBe(400);
    expect(backoffDelay(b, 10, () => 1)).toBe(1000);
    expect(backoffDelay(b, 10, () => 0)).toBe(500);
  });
});
