import { describe, expect, it } from '@jest/globals';
import {
  crashLoopSpanMs,
  parseConfigText,
  RESTART_DEFAULTS,
  restartDelay,
  type RestartPolicyConfig,
} from '@mpvisor/config';
import { withJitter } from '@mpvisor/sys';
import {
  decideRestart,
  freshRecord,
  resetRecord,
  type RestartDecision,
  type RestartRecord,
} from '../src/zones/restart-policy.js';
import { limitBroken, nextStreak, zoneUsage } from '../src/zones/resource-watch.js';
import { exitReason, planAfterExit } from '../src/zones/crash-recovery.js';

const policy = (o: Partial<RestartPolicyConfig> = {}): RestartPolicyConfig => ({
  ...RESTART_DEFAULTS,
  restart_backoff_initial_ms: 100,
  restart_backoff_factor: 2,
  restart_backoff_max_ms: 1000,
  restart_jitter: 0,
  max_restarts: 5,
  restart_window_ms: 60_000,
  stable_after_ms: 10_000,
  ...o,
});

/**
 * A fake clock driving the pure policy like the zone runner does: crash, wait the decided delay, run
 * `uptimeMs`, crash again. Time only moves when the test says so.
 */
function crashLoop(
  p: RestartPolicyConfig,
  crashes: number,
  opts: { uptimeMs?: number; random?: () => number; start?: RestartRecord; autoResetThreshold?: number } = {},
) {
  let now = 1_000_000;
  let record = opts.start ?? freshRecord();
  const decisions: RestartDecision[] = [];
  for (let i = 0; i < crashes; i++) {
    const d = decideRestart(p, record, { code: 1, signal: null, uptimeMs: opts.uptimeMs ?? 0 }, now, {
      random: opts.random ?? (() => 0.5),
      autoResetThreshold: opts.autoResetThreshold ?? null,
    });
    decisions.push(d);
    record = d.record;
    if (d.action === 'give_up' || d.action === 'stay_down') break;
    now += (d.action === 'restart' ? d.delayMs : 0) + (opts.uptimeMs ?? 0);
  }
  return { decisions, record, now };
}

const delays = (ds: RestartDecision[]) => ds.map((d) => (d.action === 'restart' ? d.delayMs : d.action));

describe('backoff sequence', () => {
  it('first restart immediate, then initial x factor^n up to the maximum', () => {
    const { decisions } = crashLoop(policy({ max_restarts: 8 }), 8);
    expect(delays(decisions)).toEqual([0, 100, 200, 400, 800, 1000, 1000, 1000]);
    expect(decisions.map((d) => (d.action === 'restart' ? d.attempt : 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('is the same sequence as config restartDelay (the one implementation)', () => {
    const p = policy({ max_restarts: 8 });
    expect(delays(crashLoop(p, 8).decisions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => restartDelay(p, k)));
  });

  it('factor 1 keeps a constant delay after the immediate first restart', () => {
    expect(delays(crashLoop(policy({ restart_backoff_factor: 1 }), 4).decisions)).toEqual([0, 100, 100, 100]);
  });
});

describe('jitter', () => {
  it('stays within +-jitter of the base delay, and 0 stays 0', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) expect(withJitter(0, 0.5, () => r)).toBe(0);
    expect(withJitter(1000, 0.2, () => 0)).toBe(800);
    expect(withJitter(1000, 0.2, () => 0.999999)).toBe(1200);
    expect(withJitter(1000, 0, () => 0)).toBe(1000);
  });

  it('every delay of a seeded crash loop is inside its bounds', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const p = policy({ restart_jitter: 0.3, max_restarts: 50 });
    const { decisions } = crashLoop(p, 50, { random });
    decisions.forEach((d, i) => {
      if (d.action !== 'restart') throw new Error(d.action);
      const base = restartDelay(p, i + 1);
      expect(d.delayMs).toBeGreaterThanOrEqual(Math.floor(base * 0.7));
      expect(d.delayMs).toBeLessThanOrEqual(Math.ceil(base * 1.3));
    });
    // Not in lockstep: the capped delays differ.
    expect(new Set(decisions.slice(10).map((d) => (d as { delayMs: number }).delayMs)).size).toBeGreaterThan(5);
  });
});

describe('stable running resets the backoff', () => {
  it('a crash after stable_after_ms restarts immediately again', () => {
    const p = policy();
    const loop = crashLoop(p, 3);
    expect(delays(loop.decisions)).toEqual([0, 100, 200]);
    const afterStable = decideRestart(p, loop.record, { code: 1, signal: null, uptimeMs: 10_000 }, loop.now + 10_000, {
      random: () => 0.5,
    });
    expect(afterStable).toMatchObject({ action: 'restart', delayMs: 0 });
    const next = decideRestart(p, afterStable.record, { code: 1, signal: null, uptimeMs: 50 }, loop.now + 10_100, {
      random: () => 0.5,
    });
    expect(next).toMatchObject({ action: 'restart', delayMs: 100 });
  });

  it('just under stable_after_ms keeps backing off', () => {
    const { decisions } = crashLoop(policy({ max_restarts: 10 }), 4, { uptimeMs: 9_999 });
    expect(delays(decisions)).toEqual([0, 100, 200, 400]);
  });

  it('zones that run stably between crashes never fail, however many crashes', () => {
    const { decisions } = crashLoop(policy({ restart_window_ms: 30_000 }), 50, { uptimeMs: 20_000 });
    expect(decisions.every((d) => d.action === 'restart' && d.delayMs === 0)).toBe(true);
  });
});

describe('window limit', () => {
  it('more than max_restarts within the window -> give_up after exactly max_restarts restarts', () => {
    const { decisions, record } = crashLoop(policy({ max_restarts: 3 }), 10);
    expect(delays(decisions)).toEqual([0, 100, 200, 'give_up']);
    expect(record.total).toBe(3);
    const last = decisions.at(-1)!;
    expect(last.action === 'give_up' && last.reason).toBe('more than 3 restarts within 60000 ms');
  });

  it('restarts that slid out of the window no longer count', () => {
    const p = policy({ max_restarts: 2, restart_window_ms: 5_000 });
    let r = freshRecord();
    let d = decideRestart(p, r, { code: 1, signal: null, uptimeMs: 0 }, 0);
    r = d.record;
    d = decideRestart(p, r, { code: 1, signal: null, uptimeMs: 0 }, 1_000, { random: () => 0.5 });
    r = d.record;
    expect(decideRestart(p, r, { code: 1, signal: null, uptimeMs: 0 }, 2_000).action).toBe('give_up');
    // 10 s later both are out of the 5 s window.
    expect(decideRestart(p, r, { code: 1, signal: null, uptimeMs: 0 }, 12_000).action).toBe('restart');
  });

  it('max_restarts 0 fails at the first crash; a reset record revives with total kept', () => {
    const { decisions, record } = crashLoop(policy({ max_restarts: 0 }), 1);
    expect(decisions[0]!.action).toBe('give_up');
    const loop = crashLoop(policy({ max_restarts: 2 }), 5);
    expect(loop.decisions.at(-1)!.action).toBe('give_up');
    const revived = resetRecord(loop.record);
    expect(revived).toEqual({ window: [], consecutive: 0, total: 2, autoResets: 0 });
    expect(delays(crashLoop(policy({ max_restarts: 2 }), 5, { start: revived }).decisions)).toEqual([
      0,
      100,
      'give_up',
    ]);
    expect(record.total).toBe(0);
  });
});

describe('restart types', () => {
  const exits = {
    clean: { code: 0, signal: null, uptimeMs: 0 },
    error: { code: 1, signal: null, uptimeMs: 0 },
    killed: { code: null, signal: 'SIGKILL', uptimeMs: 0 },
  };
  const action = (t: RestartPolicyConfig['restart_type'], e: keyof typeof exits) =>
    decideRestart(policy({ restart_type: t }), freshRecord(), exits[e], 0).action;

  it('permanent restarts after any exit', () => {
    expect([action('permanent', 'clean'), action('permanent', 'error'), action('permanent', 'killed')]).toEqual([
      'restart',
      'restart',
      'restart',
    ]);
  });
  it('transient restarts only after an abnormal exit', () => {
    expect([action('transient', 'clean'), action('transient', 'error'), action('transient', 'killed')]).toEqual([
      'stay_down',
      'restart',
      'restart',
    ]);
  });
  it('temporary never restarts', () => {
    expect([action('temporary', 'clean'), action('temporary', 'error'), action('temporary', 'killed')]).toEqual([
      'stay_down',
      'stay_down',
      'stay_down',
    ]);
  });
});

describe('auto reset', () => {
  it('after threshold consecutive failures: one soft reset with a fresh record, then failed stays reachable', () => {
    const { decisions, record } = crashLoop(policy({ max_restarts: 5 }), 20, { autoResetThreshold: 3 });
    expect(delays(decisions)).toEqual([0, 100, 'auto_reset', 0, 100, 200, 400, 800, 'give_up']);
    expect(record.autoResets).toBe(1);
  });

  it('also fires where the zone would otherwise fail (threshold above max_restarts)', () => {
    const { decisions } = crashLoop(policy({ max_restarts: 2 }), 20, { autoResetThreshold: 3 });
    expect(delays(decisions)).toEqual([0, 100, 'auto_reset', 0, 100, 'give_up']);
  });

  it('a stable run starts a new streak, with a new auto reset allowed', () => {
    const p = policy({ max_restarts: 10 });
    const first = crashLoop(p, 3, { autoResetThreshold: 3 });
    expect(first.record.autoResets).toBe(1);
    const stable = decideRestart(p, first.record, { code: 1, signal: null, uptimeMs: 60_000 }, first.now + 60_000, {
      autoResetThreshold: 3,
    });
    expect(stable.record.autoResets).toBe(0);
  });
});

describe('reachability warning (config) agrees with the policy', () => {
  const warningsOf = (text: string) =>
    (parseConfigText(text).problems ?? []).filter((p) => p.key === 'restart_window_ms' && p.severity === 'warning');

  it('crashLoopSpanMs is the time the policy needs to fail a zone that crashes at once', () => {
    for (const o of [{}, { max_restarts: 3 }, { max_restarts: 8, restart_backoff_max_ms: 500 }, { max_restarts: 1 }]) {
      const p = policy(o);
      const loop = crashLoop({ ...p, restart_window_ms: 86_400_000 }, p.max_restarts + 1);
      expect(loop.decisions.at(-1)!.action).toBe('give_up');
      expect(loop.now - 1_000_000).toBe(crashLoopSpanMs(p));
    }
  });

  it('warns exactly when the window is shorter than that span, and the policy indeed never fails then', () => {
    // initial 100, factor 2, max 1000, 5 restarts: 0 + 100 + 200 + 400 + 800 = 1500 ms > window 1000 ms.
    const tooShort = { restart_backoff_initial_ms: 100, restart_backoff_max_ms: 1000, restart_window_ms: 1000 };
    const text = [
      '[system:main]',
      'restart_backoff_initial_ms = 100',
      'restart_backoff_max_ms = 1000',
      'restart_window_ms = 1000',
      'max_restarts = 5',
      '[audio:a]',
    ].join('\n');
    const w = warningsOf(text);
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toContain('1500 ms');
    expect(crashLoop(policy(tooShort), 200).decisions.some((d) => d.action === 'give_up')).toBe(false);
    // A window just above the span: no warning, and the crash loop does reach failed.
    const ok = text.replace('restart_window_ms = 1000', 'restart_window_ms = 1600');
    expect(warningsOf(ok)).toEqual([]);
    expect(crashLoop(policy({ ...tooShort, restart_window_ms: 1600 }), 200).decisions.at(-1)!.action).toBe('give_up');
  });
});

describe('resource watch (pure parts)', () => {
  it('sums a zone, skipping processes that vanished', () => {
    const u = zoneUsage(
      [
        { pid: 1, role: 'worker' },
        { pid: 2, role: 'mpv:background' },
        { pid: 3, role: 'mpv:speech' },
      ],
      { 1: { cpu: 1.26, memory: 50 * 1048576 } as never, 2: { cpu: 10, memory: 30 * 1048576 } as never, 3: null },
    );
    expect(u).toMatchObject({ cpu_percent: 11.3, rss_mb: 80, processes: 2 });
    expect(u.per_process.map((p) => p.role)).toEqual(['worker', 'mpv:background']);
  });

  it('limits: none set, rss over, cpu over; a streak fires once when sustained', () => {
    expect(limitBroken(policy(), { cpu_percent: 999, rss_mb: 999, processes: 3 })).toBeNull();
    expect(limitBroken(policy({ max_rss_mb: 100 }), { cpu_percent: 0, rss_mb: 120, processes: 3 })).toContain(
      'max_rss_mb 100',
    );
    expect(limitBroken(policy({ max_cpu_percent: 50 }), { cpu_percent: 60, rss_mb: 1, processes: 3 })).toContain(
      'max_cpu_percent 50',
    );
    let s = 0;
    const fired = [true, true, false, true, true, true, true].map((b) => {
      s = nextStreak(s, b);
      return s === 3;
    });
    expect(fired).toEqual([false, false, false, false, false, true, false]);
  });
});

describe('after a crash (pure parts)', () => {
  it('reads each decision as a plan: only a plain restart may take a warm spare', () => {
    const p = policy();
    const crash = (o: { uptimeMs?: number; autoResetThreshold?: number } = {}) =>
      decideRestart(p, freshRecord(), { code: 1, signal: null, uptimeMs: o.uptimeMs ?? 0 }, 1000, {
        random: () => 0.5,
        autoResetThreshold: o.autoResetThreshold ?? null,
      });
    expect(planAfterExit(crash(), p)).toEqual({
      kind: 'start_again',
      event: 'restarting',
      detail: { attempt: 1, max: 5, delay_ms: 0 },
      delayMs: 0,
      spareAllowed: true,
    });
    expect(planAfterExit(crash({ autoResetThreshold: 1 }), p)).toMatchObject({
      kind: 'start_again',
      event: 'auto_reset',
      delayMs: 0,
      spareAllowed: false,
      detail: { level: 'soft', consecutive_failures: 1 },
    });
    const full = { window: [1, 2, 3, 4, 5], consecutive: 5, total: 5, autoResets: 0 };
    expect(planAfterExit(decideRestart(p, full, { code: 1, signal: null, uptimeMs: 0 }, 10, {}), p)).toMatchObject({
      kind: 'stay_down',
      lifecycle: 'failed',
    });
    const temporary = policy({ restart_type: 'temporary' });
    expect(
      planAfterExit(decideRestart(temporary, freshRecord(), { code: 1, signal: null, uptimeMs: 0 }, 10, {}), temporary),
    ).toMatchObject({ kind: 'stay_down', lifecycle: 'stopped' });
  });

  it('names why a worker exited: our kill reason first, else its signal or code', () => {
    expect(exitReason({ code: null, signal: 'SIGKILL' }, 'no heartbeat for 1500 ms')).toBe('no heartbeat for 1500 ms');
    expect(exitReason({ code: null, signal: 'SIGKILL' }, null)).toBe('killed by SIGKILL');
    expect(exitReason({ code: 3, signal: null }, null)).toBe('exited with code 3');
  });
});
