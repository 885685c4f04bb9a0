import { describe, expect, it } from '@jest/globals';
import { RESTART_DEFAULTS, backoffDelay } from '../src/index.js';
import { errors, ini, lineOf, ok, warnings } from './helpers.js';

describe('restart policy', () => {
  it('[system:main] sets the defaults, a zone section overrides them for itself', () => {
    const c = ok(
      ini(
        '[system:main]',
        'max_restarts = 3',
        'restart_backoff_initial_ms = 200',
        'heartbeat_timeout_ms = 4s',
        '[audio:a]',
        'max_restarts = 10',
        'restart_type = transient',
        'max_rss_mb = 300',
        'restart_on_resource_limit = yes',
        '[audio:b]',
      ),
    );
    const [a, b] = c.zones;
    expect(c.system.restart).toMatchObject({
      max_restarts: 3,
      restart_backoff_initial_ms: 200,
      heartbeat_timeout_ms: 4000,
    });
    expect(a?.restart).toEqual({
      ...RESTART_DEFAULTS,
      restart_backoff_initial_ms: 200,
      heartbeat_timeout_ms: 4000,
      max_restarts: 10,
      restart_type: 'transient',
      max_rss_mb: 300,
      restart_on_resource_limit: true,
    });
    expect(b?.restart).toEqual(c.system.restart);
    expect(c.problems).toEqual([]);
  });

  it('rejects invalid policy values with section, key and line', () => {
    const text = ini(
      '[audio:a]',
      'restart_type = forever',
      'restart_jitter = 1.5',
      'restart_backoff_initial_ms = 5000',
      'restart_backoff_max_ms = 1000',
    );
    expect(errors(text).map((p) => [p.section, p.key, p.line])).toEqual([
      ['audio:a', 'restart_type', 2],
      ['audio:a', 'restart_jitter', 3],
      ['audio:a', 'restart_backoff_max_ms', 5],
    ]);
  });

  it('backoffDelay grows by the factor up to the maximum', () => {
    const p = { ...RESTART_DEFAULTS, restart_backoff_initial_ms: 1000, restart_backoff_max_ms: 5000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(p, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe('reachability of the restart window', () => {
  it('warns when the backoff delays alone outlast the window (zone override)', () => {
    // first restart immediate, then 10 s + 20 s + 30 s (max) + 30 s = 90 s > 60 s
    const text = ini('[audio:a]', 'restart_backoff_initial_ms = 10000', 'restart_window_ms = 60000', '[audio:b]');
    const w = warnings(text).filter((p) => p.key === 'restart_window_ms');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ section: 'audio:a', line: lineOf(text, 'restart_window_ms') });
    expect(w[0]?.message).toContain('90000 ms');
    expect(errors(text)).toEqual([]);
  });

  it('checks [system:main] once, not again in zones that inherit it', () => {
    const text = ini('[system:main]', 'max_restarts = 20', 'restart_window_ms = 1m', '[audio:a]', '[audio:b]');
    const w = warnings(text).filter((p) => p.key === 'restart_window_ms');
    expect(w.map((p) => p.section)).toEqual(['system:main']);
  });

  it('is quiet for the defaults and for temporary zones', () => {
    expect(warnings(ini('[audio:a]'))).toEqual([]);
    const temp = ini(
      '[audio:a]',
      'restart_type = temporary',
      'restart_backoff_initial_ms = 60000',
      'restart_window_ms = 1000',
    );
    expect(warnings(temp).filter((p) => p.key === 'restart_window_ms')).toEqual([]);
  });
});
