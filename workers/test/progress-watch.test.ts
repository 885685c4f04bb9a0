import { describe, expect, it } from '@jest/globals';
import { ProgressWatch } from '../src/progress-watch.js';

describe('progress watch (background time-pos must advance while playing)', () => {
  const playing = (pos: number | null) => ({ status: 'playing' as const, position_s: pos });

  it('advancing, paused or stopped music is healthy', () => {
    const w = new ProgressWatch(2000);
    expect(w.check(playing(1), 0)).toEqual({ problem: null, recover: false });
    expect(w.check(playing(2), 1000)).toEqual({ problem: null, recover: false });
    expect(w.check({ status: 'paused', position_s: 2 }, 5000).problem).toBeNull();
    expect(w.check({ status: 'stopped', position_s: null }, 9000).problem).toBeNull();
  });

  it('a stall of stallMs is a problem with one recovery, repeated only after another stallMs', () => {
    const w = new ProgressWatch(2000);
    w.check(playing(5), 0);
    expect(w.check(playing(5), 1500)).toEqual({ problem: null, recover: false });
    const v = w.check(playing(5), 2000);
    expect(v.recover).toBe(true);
    expect(v.problem).toContain('stuck at 5.00 s');
    expect(w.check(playing(5), 3000)).toMatchObject({ recover: false });
    expect(w.check(playing(5), 4000)).toMatchObject({ recover: true });
    // Moving again (the restarted mpv resumed): healthy.
    expect(w.check(playing(5.5), 4500)).toEqual({ problem: null, recover: false });
  });
});
