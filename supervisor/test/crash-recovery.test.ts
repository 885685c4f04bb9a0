// CrashRecovery in fake time: crash storms, backoff between cold spawns, failed after the window's
// budget, stable runs, cancellation between attempts, warm-spare adoption and auto reset.
import { describe, expect, it } from '@jest/globals';
import { parseConfigText, type ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { ZoneLifecycle } from '@mpvisor/protocol';
import { CrashRecovery } from '../src/zones/crash-recovery.js';
import { freshFacts } from '../src/zones/zone-snapshot.js';
import { FakeClock } from './fake-clock.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as unknown as Logger;

function zone(overrides: Record<string, number> = {}): ZoneConfig {
  const keys = {
    restart_backoff_initial_ms: 100,
    restart_backoff_max_ms: 1000,
    restart_jitter: 0,
    max_restarts: 3,
    restart_window_ms: 60_000,
    stable_after_ms: 10_000,
    ...overrides,
  };
  const text = ['[system:main]', ...Object.entries(keys).map(([k, v]) => `${k} = ${v}`), '[audio:lobby]'].join('\n');
  const { config, problems } = parseConfigText(text, { env: {} });
  if (!config) throw new Error(JSON.stringify(problems));
  return config.zones[0]!;
}

function harness(
  opts: { extra?: Record<string, number>; spare?: () => boolean; coordinator?: (reason: string) => boolean } = {},
) {
  const clock = new FakeClock();
  const events: string[] = [];
  const spawns: number[] = [];
  let lifecycle: ZoneLifecycle = 'ready';
  const facts = freshFacts();
  const recovery = new CrashRecovery({
    zone: zone(opts.extra),
    clock,
    log: quiet,
    facts,
    hooks: {
      stateChanged() {},
      lifecycle: (_z, event) => void events.push(event),
      mediaEvent() {},
      warning() {},
    },
    setLifecycle: (s) => {
      lifecycle = s;
    },
    spawn: () => void spawns.push(clock.now()),
    adoptSpare: opts.spare ?? (() => false),
    ...(opts.coordinator ? { viaCoordinator: opts.coordinator, autoResetThreshold: 2 } : {}),
  });
  /** The worker dies after `uptimeMs` of running. */
  const crash = (uptimeMs = 0) => {
    clock.advance(uptimeMs);
    recovery.afterCrash({ code: 1, signal: null }, 'exited with code 1', uptimeMs);
  };
  /** Runs the pending restart, if any; returns the delay it waited. */
  const runPending = () => {
    const d = clock.nextDelay();
    if (d !== null) clock.advance(d);
    return d;
  };
  return { clock, events, spawns, facts, recovery, crash, runPending, lifecycle: () => lifecycle };
}

describe('CrashRecovery in fake time', () => {
  it('restarts at once, then backs off by the factor, and fails after max_restarts in the window', () => {
    const h = harness();
    const waited: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      h.crash();
      waited.push(h.runPending());
    }
    expect(waited).toEqual([0, 100, 200, null]);
    expect(h.spawns).toHaveLength(3);
    expect(h.lifecycle()).toBe('failed');
    expect(h.events.filter((e) => e === 'crashed')).toHaveLength(4);
    expect(h.events.at(-1)).toBe('failed');
    expect(h.clock.pending).toBe(0);
    expect(h.recovery.restarts).toBe(3);
  });

  it('a storm of 1,000 crashes runs in fake time and never spawns after failed', () => {
    const h = harness({ extra: { max_restarts: 1000, restart_window_ms: 86_400_000 } });
    for (let i = 0; i < 1000; i++) {
      h.crash(5);
      h.runPending();
    }
    expect(h.spawns).toHaveLength(1000);
    // Delays never exceed the maximum, and the sequence is 0, 100, 200, 400, 800, 1000, 1000, ...
    const gaps = h.spawns.slice(1).map((t, i) => t - h.spawns[i]! - 5);
    expect(gaps.slice(0, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(Math.max(...gaps)).toBe(1000);
    h.crash();
    expect(h.lifecycle()).toBe('failed');
    h.clock.advance(60_000);
    expect(h.spawns).toHaveLength(1000);
  });

  it('a run longer than stable_after_ms starts the backoff over', () => {
    const h = harness();
    h.crash();
    h.runPending();
    h.crash(50);
    expect(h.runPending()).toBe(100);
    h.crash(20_000);
    expect(h.runPending()).toBe(0);
  });

  it('cancel between attempts: the pending spawn never happens', () => {
    const h = harness();
    h.crash();
    h.runPending();
    h.crash();
    expect(h.clock.nextDelay()).toBe(100);
    h.recovery.cancel();
    h.clock.advance(10_000);
    expect(h.spawns).toHaveLength(1);
  });

  it('a ready spare is adopted at once on a 0 ms restart, and at fire time after a backoff', () => {
    let spares = 1;
    const adopted: number[] = [];
    const h = harness({
      spare: () => {
        if (spares === 0) return false;
        spares--;
        adopted.push(h.clock.now());
        return true;
      },
    });
    const t0 = h.clock.now();
    h.crash();
    // 0 ms: adopted synchronously, no timer, no cold spawn.
    expect(adopted).toEqual([t0]);
    expect(h.clock.pending).toBe(0);
    h.crash();
    // Backoff: no spare now, none when the timer fires either -> cold spawn at t + 100.
    h.runPending();
    expect(h.spawns).toEqual([t0 + 100]);
    // A spare that becomes ready during the backoff is adopted when the timer fires.
    h.crash();
    spares = 1;
    h.runPending();
    expect(adopted).toHaveLength(2);
    expect(h.spawns).toHaveLength(1);
  });

  it('auto reset goes to the coordinator once per failure streak; the relaunch keeps the record', () => {
    const reasons: string[] = [];
    const h = harness({ coordinator: (r) => (reasons.push(r), true) });
    h.crash();
    h.runPending();
    h.crash();
    expect(h.events).toContain('auto_reset');
    expect(reasons).toHaveLength(1);
    // The coordinator relaunches (cleanSlate without resetting the record): the next crashes back off.
    h.recovery.cleanSlate();
    h.crash();
    expect(h.events.filter((e) => e === 'auto_reset')).toHaveLength(1);
  });
});
