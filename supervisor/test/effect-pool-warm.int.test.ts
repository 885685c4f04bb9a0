import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { isSameProcess, readIdentity, type ProcessIdentity } from '@mpvisor/sys';
import { commOf, createRig, descendants, isAlive, waitFor, type Rig } from '@mpvisor/testkit';

// A zone's effect pool warms after the zone is ready (and after a spare adopts it): the zone's ready
// does not wait for it, and a reset that comes while the pool's mpv are still starting takes them down
// with their worker, counts them, and finds no orphan.

const rand = () => randomBytes(4).toString('hex');

interface Instance {
  role: string;
  pid: number | null;
  alive: boolean;
}

describe('effect pool warmed after ready', () => {
  let rig: Rig;

  const health = async () => {
    const h = await rig.sys({ command: 'health_check' }, 20_000);
    expect(h.outcome).toBe('success');
    return h.result.zones.find((z: { zone: string }) => z.zone === 'one') as { worker_pid: number; mpv_pids: number[] };
  };
  const mpvUnder = (worker: number): ProcessIdentity[] =>
    descendants(worker)
      .filter((pid) => commOf(pid) === 'mpv')
      .flatMap((pid) => readIdentity(pid) ?? []);

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvep' });
  }, 30_000);

  afterAll(async () => {
    await rig?.close();
  }, 30_000);

  it('the zone is ready with background and speech; its two pooled effect mpv follow', async () => {
    const since = Date.now();
    rig.start(rig.config({ zones: ['one'], extra: 'reset_timeout = 20000' }));
    const ready = await rig.ready('one', since, 20_000);
    const roles = (m: { json?: { mpv_processes?: Instance[] } }) =>
      (m.json?.mpv_processes ?? []).filter((i) => i.alive).map((i) => i.role);
    expect(roles(ready).sort()).toEqual(['background', 'speech']);
    const warm = await rig.probe.waitFor(`${rig.base}/one/state`, (m) => roles(m).length === 4, 20_000, since);
    expect(roles(warm).sort()).toEqual(['background', 'effect-0', 'effect-1', 'speech']);
  }, 45_000);

  it('resets while the pool mpv are still starting leave no mpv of the old worker and find no orphan', async () => {
    // A 1 s delay instead of 5 s: still time to ask for the worker before its pool starts, 4 s less per round.
    await rig.sup.stop();
    const restarted = Date.now();
    rig.start(
      rig.config({ zones: ['one'], extra: 'reset_timeout = 20000', zoneKeys: ['effects_warm_delay_ms = 1000'] }),
    );
    await rig.ready('one', restarted, 20_000);
    for (const level of ['hard', 'soft', 'hard', 'soft']) {
      const { worker_pid: worker } = await health();
      // The zone (cold or an adopted spare) runs background and speech; the reset goes as soon as a third
      // mpv exists under its worker, i.e. while the pool is starting.
      const starting = await waitFor(
        () => {
          const mpv = mpvUnder(worker);
          return mpv.length > 2 ? mpv : null;
        },
        15_000,
        'a pooled effect mpv to start',
        2,
      );
      const id = `r-${rand()}`;
      const since = Date.now();
      const r = await rig.sys({ command: 'reset', level, id, ...(level === 'soft' ? { zones: ['one'] } : {}) }, 40_000);
      expect(r).toMatchObject({ outcome: 'success', id });
      expect(r.result.warnings).toEqual([]);
      expect(r.result.orphans_killed ?? []).toEqual([]);
      // Every mpv the old worker had, the starting ones included, is gone with it.
      const left = [...starting, ...mpvUnder(worker)].filter(isSameProcess);
      expect(left).toEqual([]);
      expect(isAlive(worker)).toBe(false);
      await rig.ready('one', since, 20_000);
    }
    // The last zone warms its pool as usual, and an orphan check then finds nothing either.
    await waitFor(async () => (await health()).mpv_pids.length === 4, 20_000, 'the pool after the last reset', 200);
    const orphans = await rig.sys({ command: 'cleanup_orphans' });
    expect(orphans).toMatchObject({ outcome: 'success', result: { mpv_processes_killed: 0 } });
  }, 150_000);
});
