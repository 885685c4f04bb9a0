import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { isAlive, testIni, waitFor } from '@mpvisor/testkit';
import { zoneHarness } from './zone-harness.js';

// The health path that resets a zone by itself, with real processes: a worker that stops answering
// (SIGSTOP) misses its heartbeats, the watchdog kills it, and with auto_reset_threshold = 1 that first
// failure is an auto reset, run by the reset coordinator like any reset (phases, counts, the music back).

function ini(port: number, media: string, base: string): string {
  return testIni({
    port,
    base,
    media,
    logLevel: 'info',
    global: ['heartbeat_enabled = false'],
    system: [
      'warm_spares = 1',
      'auto_reset_enabled = true',
      'auto_reset_threshold = 1',
      'startup_timeout_ms = 30000',
      'heartbeat_timeout_ms = 1500',
      'stable_after_ms = 500',
    ],
    zones: [{ name: 'hang', keys: ['effects_pool_size = 0'] }],
  });
}

describe('auto reset from the heartbeat watchdog', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;

  beforeAll(async () => {
    h = await zoneHarness('mpvar', ini);
    await h.ready('hang', 0, 60_000);
  }, 90_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('a hung worker is killed by the watchdog and the zone is auto reset through the coordinator', async () => {
    await h.cmd('hang', { command: 'playBackground', file: 'tone-220.wav', loop: true });
    await h.playing('hang', 30_000);
    await waitFor(
      async () =>
        ((await h.sys({ command: 'status' })).result.spares as { state: string }[]).some((s) => s.state === 'ready'),
      30_000,
      'a ready spare',
      100,
    );
    const before = await h.state('hang');
    const since = Date.now();
    process.kill(before.pid, 'SIGSTOP');
    const crashed = await h.waitLifecycle('hang', 'crashed', since, 15_000);
    expect(crashed.reason).toMatch(/no heartbeat for 1500 ms/);
    const auto = await h.waitLifecycle('hang', 'auto_reset', since, 5000);
    expect(auto).toMatchObject({ level: 'soft', consecutive_failures: 1 });
    const statuses = await waitFor(
      () => {
        const s = h.probe.messages
          .filter(
            (m) => m.topic === `${h.base}/system/events` && m.json?.type === 'system_reset_status' && m.at >= since,
          )
          .map((m) => m.json);
        return s.some((x) => x.phase === 'complete' || x.phase === 'failed') ? s : null;
      },
      30_000,
      'the auto reset to end',
    );
    expect(statuses.map((s) => s.phase)).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    expect(statuses.at(-1)).toMatchObject({
      errors: [],
      progress: { devices_reinitialized: 1, sinks_unloaded: 0, sockets_cleaned: 0 },
    });
    expect(h.lifecycle('hang', since).find((e) => e.event === 'reset')).toMatchObject({
      command: 'auto_reset',
      preserve_state: true,
    });
    // Back on a new worker (a warm spare), the music replayed.
    const back = h.lifecycle('hang', since).find((e) => e.event === 'restarted');
    expect(back).toMatchObject({ via: 'spare' });
    expect(back.pid).not.toBe(before.pid);
    await h.playing('hang', 30_000);
    expect((await h.prop('hang', 'background', 'path')).value).toBe(join(h.media, 'tone-220.wav'));
    await waitFor(() => !isAlive(before.pid), 5000, 'the hung worker to be gone');
  }, 90_000);
});
