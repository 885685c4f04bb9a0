import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { adoptedClientName } from '@mpvisor/pulse';
import { circular, zoneHarness } from './zone-harness.js';
import { descendants, isAlive, POOL_AT_ONCE, sleep, testIni, waitFor } from '@mpvisor/testkit';

// Warm standby workers with real processes: supervisor, workers, mpv and Mosquitto.

function ini(o: {
  port: number;
  media: string;
  base: string;
  spares: number;
  zones: string[];
  zoneKeys?: string[];
}): string {
  return testIni({
    port: o.port,
    base: o.base,
    media: o.media,
    logLevel: 'info',
    global: ['heartbeat_enabled = false'],
    system: [
      `warm_spares = ${o.spares}`,
      'startup_timeout_ms = 8000',
      'heartbeat_timeout_ms = 1500',
      'restart_backoff_initial_ms = 100',
      'stable_after_ms = 500',
      'max_restarts = 20',
    ],
    zones: o.zones.map((name) => ({ name, keys: o.zoneKeys ?? [] })),
  });
}

interface SpareInfo {
  pid: number;
  state: 'starting' | 'ready';
  mpv_pids: number[];
}

/** The zone harness with the spares in status, on this config. */
async function harness(prefix: string, build: (port: number, media: string, base: string) => string) {
  const base = await zoneHarness(prefix, build);
  const h = {
    ...base,
    async spares(): Promise<SpareInfo[]> {
      return (await base.sys({ command: 'status' })).result.spares;
    },
    /** Ready spares, waiting until there are `n` of them. */
    readySpares: (n: number, timeoutMs = 10_000) =>
      waitFor(
        async () => {
          const s = (await h.spares()).filter((x) => x.state === 'ready');
          return s.length >= n ? s : null;
        },
        timeoutMs,
        `${n} ready spare(s)`,
        100,
      ),
  };
  return h;
}

describe('warm_spares = 1', () => {
  let h: Awaited<ReturnType<typeof harness>>;

  beforeAll(async () => {
    h = await harness('mpvw', (port, media, base) => ini({ port, media, base, spares: 1, zones: ['alpha', 'beta'] }));
    await h.ready('alpha');
    await h.ready('beta');
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('a spare boots once the zones are ready and is listed in status and health_check', async () => {
    const [spare] = await h.readySpares(1);
    expect(isAlive(spare!.pid)).toBe(true);
    // background and speech, idle: no effect voices (the zone that adopts it warms its pool).
    expect(spare!.mpv_pids).toHaveLength(2);
    for (const p of spare!.mpv_pids) expect(descendants(spare!.pid)).toContain(p);
    const health = (await h.sys({ command: 'health_check' })).result;
    expect(health.spares).toEqual([{ pid: spare!.pid, state: 'ready' }]);
    // Not a zone: the zones' own workers are different processes.
    expect([(await h.state('alpha')).pid, (await h.state('beta')).pid]).not.toContain(spare!.pid);
    // Recorded in the ownership ledger like the zones' workers and mpv: 2 zones x (worker + 4 mpv) + the spare's 3.
    await waitFor(
      async () => (await h.sys({ command: 'health_check' })).result.ledger.processes === 13,
      5000,
      'the spare in the ledger',
      100,
    );
  }, 15_000);

  it("kill -9 of a zone's worker: the spare takes over, background resumes at its position, a new spare follows", async () => {
    await h.cmd('alpha', { command: 'playBackground', file: 'tone-220.wav', loop: true });
    await h.playing('alpha');
    await sleep(1200); // a heartbeat or two: the supervisor knows the position
    const [spare] = await h.readySpares(1);
    const before = await h.state('alpha');
    const old = await h.prop('alpha', 'background', 'time-pos');
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const restarted = await h.waitLifecycle('alpha', 'restarted', since);
    expect(restarted).toMatchObject({ pid: spare!.pid, via: 'spare', restarts: before.restarts + 1 });
    const after = await h.playing('alpha');
    expect(spare!.mpv_pids).toContain(after.pid);
    expect((await h.prop('alpha', 'background', 'path')).value).toBe(join(h.media, 'tone-220.wav'));
    // Resumed where it was: the position is sampled every heartbeat (500 ms here).
    expect(Math.abs(circular(after.value - old.value))).toBeLessThan(1.5);
    const st = await h.state('alpha');
    expect(st).toMatchObject({ state: 'ready', pid: spare!.pid, restarts: before.restarts + 1 });
    // The spare's background and speech are the zone's now; its effect pool warms after the adoption.
    const instances = async () =>
      (await h.state('alpha')).mpv_processes.map((m: { instance: string }) => m.instance) as string[];
    await waitFor(async () => (await instances()).includes('alpha/effect-1'), 20_000, "the adopted zone's pool", 100);
    expect(await instances()).toEqual(
      expect.arrayContaining(['alpha/background', 'alpha/speech', 'alpha/effect-0', 'alpha/effect-1']),
    );
    for (const m of before.mpv_processes) expect(isAlive(m.pid)).toBe(false);
    expect(isAlive(before.pid)).toBe(false);
    // The zone answers commands on the adopted worker (speech slot included).
    expect((await h.prop('alpha', 'speech', 'idle-active')).value).toBe(true);
    // Named for the zone before they open an output (the server keys restored mute and volume by it).
    expect((await h.prop('alpha', 'background', 'audio-client-name')).value).toBe(
      adoptedClientName('alpha', 'background'),
    );
    expect((await h.prop('alpha', 'speech', 'audio-client-name')).value).toBe(adoptedClientName('alpha', 'speech'));
    // A replacement spare, booted in the background.
    const [next] = await h.readySpares(1, 8000);
    expect(next!.pid).not.toBe(spare!.pid);
    expect(Date.now() - since).toBeLessThan(8000);
  }, 45_000);

  it('the adopted worker is supervised like any: killed again, the next spare takes over', async () => {
    const [spare] = await h.readySpares(1);
    const before = await h.state('alpha');
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const restarted = await h.waitLifecycle('alpha', 'restarted', since);
    expect(restarted).toMatchObject({ pid: spare!.pid, via: 'spare' });
    await h.playing('alpha');
    await h.readySpares(1, 8000);
  }, 30_000);

  it('a spare that is killed is replaced', async () => {
    const [spare] = await h.readySpares(1);
    process.kill(spare!.pid, 'SIGKILL');
    const [next] = await waitFor(
      async () => {
        const s = (await h.spares()).filter((x) => x.state === 'ready' && x.pid !== spare!.pid);
        return s.length ? s : null;
      },
      8000,
      'a replacement spare',
      100,
    );
    expect(isAlive(spare!.pid)).toBe(false);
    await waitFor(() => spare!.mpv_pids.every((p) => !isAlive(p)), 3000, "the killed spare's mpv to go");
    expect(isAlive(next!.pid)).toBe(true);
    expect((await h.spares()).map((s) => s.pid)).not.toContain(spare!.pid);
  }, 20_000);

  it('shutdown stops the spare with the zones: nothing of the run is left', async () => {
    const [spare] = await h.readySpares(1);
    const pids = [spare!.pid, ...spare!.mpv_pids];
    await h.sup.stop(); // asserts the whole tree is gone
    for (const p of pids) expect(isAlive(p)).toBe(false);
    expect(h.sup.output()).not.toMatch(/spare had to be killed/);
  }, 30_000);
});

describe('warm_spares = 0', () => {
  let h: Awaited<ReturnType<typeof harness>>;

  beforeAll(async () => {
    // The census below waits for the pool: it warms at once. Not with a spare (above): a pool warming
    // beside the replacement spare's boot can cost an adopted zone's mpv a probe, and a beat of degraded.
    h = await harness('mpvn', (port, media, base) =>
      ini({ port, media, base, spares: 0, zones: ['solo'], zoneKeys: POOL_AT_ONCE }),
    );
    await h.ready('solo');
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('no spare runs, and a crash is a cold respawn as before', async () => {
    expect(await h.spares()).toEqual([]);
    // Once its effect pool (warming just after ready) runs, the census: the worker and its own mpv only.
    const before = await waitFor(
      async () => {
        const st = await h.state('solo');
        return st.mpv_processes.length === 4 && st.mpv_processes.every((m: { alive: boolean }) => m.alive) ? st : null;
      },
      20_000,
      'the zone with its effect pool',
      100,
    );
    expect(h.sup.tree().sort()).toEqual(
      [before.pid, ...before.mpv_processes.map((m: { pid: number }) => m.pid)].sort(),
    );
    await h.cmd('solo', { command: 'playBackground', file: 'tone-330.wav', loop: true });
    await h.playing('solo');
    await sleep(1200);
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const restarted = await h.waitLifecycle('solo', 'restarted', since);
    expect(restarted.via).toBe('cold');
    expect(restarted.pid).not.toBe(before.pid);
    await h.playing('solo');
    expect((await h.prop('solo', 'background', 'path')).value).toBe(join(h.media, 'tone-330.wav'));
    expect(await h.spares()).toEqual([]);
  }, 45_000);
});

describe('warm spares in resets and repeated crashes (one light zone, load-tolerant bounds)', () => {
  let h: Awaited<ReturnType<typeof harness>>;

  beforeAll(async () => {
    // No effects pool (spares follow the zones: two mpv each) and a generous start-up bound: these
    // tests are about what the supervisor does, on a machine shared with other suites.
    const light = (port: number, media: string, base: string) =>
      ini({ port, media, base, spares: 1, zones: ['solo'] }).replace(
        'startup_timeout_ms = 8000',
        'startup_timeout_ms = 30000',
      ) + '\neffects_pool_size = 0';
    h = await harness('mpvws', light);
    await h.ready('solo', 0, 90_000);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('a soft zone reset with preserve_state hands the zone a ready spare; the music resumes where it was', async () => {
    await h.cmd('solo', { command: 'playBackground', file: 'tone-220.wav', loop: true });
    await h.playing('solo', 30_000);
    const [spare] = await h.readySpares(1, 30_000);
    const before = await h.state('solo');
    const old = await h.prop('solo', 'background', 'time-pos');
    const since = Date.now();
    const r = await h.cmd('solo', { command: 'reset', level: 'soft', preserve_state: true }, 20_000);
    expect(r.outcome).toBe('success');
    const back = h.lifecycle('solo', since).find((e) => e.event === 'restarted' || e.event === 'started');
    expect(back).toMatchObject({ pid: spare!.pid, via: 'spare' });
    const after = await h.playing('solo', 30_000);
    expect(spare!.mpv_pids).toContain(after.pid);
    expect(Math.abs(circular(after.value - old.value))).toBeLessThan(1.5);
    // The preloaded background was named for the zone before its file opened the output.
    expect((await h.prop('solo', 'background', 'audio-client-name')).value).toBe(
      adoptedClientName('solo', 'background'),
    );
    expect(isAlive(before.pid)).toBe(false);
    await h.readySpares(1, 30_000);
  }, 90_000);

  it('a second crash within 1 s of an adoption: the zone comes back again (cold, no spare is ready yet)', async () => {
    await h.readySpares(1, 30_000);
    const first = await h.state('solo');
    const since = Date.now();
    process.kill(first.pid, 'SIGKILL');
    const adopted = await h.waitLifecycle('solo', 'restarted', since);
    expect(adopted.via).toBe('spare');
    const adoptedAt = Date.now();
    process.kill(adopted.pid, 'SIGKILL');
    const second = Date.now();
    expect(second - adoptedAt).toBeLessThan(1000);
    const again = await waitFor(
      () => h.lifecycle('solo', second).find((e) => e.event === 'restarted' && e.pid !== adopted.pid),
      30_000,
      'the zone back after the second crash',
      50,
    );
    expect(again.pid).not.toBe(first.pid);
    await h.playing('solo', 30_000);
    expect((await h.state('solo')).state).toBe('ready');
    await h.readySpares(1, 30_000);
  }, 90_000);

  it('a stopped (SIGSTOP) spare is never adopted: it is killed and the zone starts cold', async () => {
    const [spare] = await h.readySpares(1, 30_000);
    process.kill(spare!.pid, 'SIGSTOP');
    try {
      const before = await h.state('solo');
      const since = Date.now();
      process.kill(before.pid, 'SIGKILL');
      const restarted = await h.waitLifecycle('solo', 'restarted', since, 30_000);
      expect(restarted.via).toBe('cold');
      await waitFor(() => !isAlive(spare!.pid), 5000, 'the stopped spare to be killed');
      await h.playing('solo', 30_000);
      const [next] = await h.readySpares(1, 30_000);
      expect(next!.pid).not.toBe(spare!.pid);
    } finally {
      if (isAlive(spare!.pid)) process.kill(spare!.pid, 'SIGCONT');
    }
  }, 90_000);
});
