import { describe, expect, it } from '@jest/globals';
import { settlesWithin } from '../src/index.js';

describe('settlesWithin', () => {
  it('is true for a promise that resolves or rejects in time, false when time runs out', async () => {
    expect(await settlesWithin(Promise.resolve(1), 1000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('x')), 1000)).toBe(true);
    expect(await settlesWithin(new Promise(() => {}), 20)).toBe(false);
  });
});
