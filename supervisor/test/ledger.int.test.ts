import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIdentity, isSameProcess, type ProcessIdentity } from '@mpvisor/sys';
import {
  createRig,
  isAlive,
  OwnProcesses,
  POOL_AT_ONCE,
  sleep,
  startSupervisor,
  waitFor,
  type Rig,
  type SupervisorProcess,
} from '@mpvisor/testkit';

// Exact censuses of the zones' processes: no warm spare here (spares in the ledger: warm-spares.int.test.ts).
const NO_SPARES = 'warm_spares = 0';

const rand = () => randomBytes(4).toString('hex');

/** A ready zone's state listing background, speech and its 2 pooled effect mpv, all alive. */
const poolWarm = (state: { state?: string; mpv_processes?: Array<{ alive: boolean }> } | undefined) =>
  state?.state === 'ready' && state.mpv_processes?.length === 4 && state.mpv_processes.every((i) => i.alive);

interface LedgerFileEntry {
  pid: number;
  starttime: number;
  role: string;
  zone: string | null;
  instance: string | null;
  spawned_at: string;
  parent: ProcessIdentity | null;
  run_id: string;
}

const readLedger = (stateDir: string) =>
  JSON.parse(readFileSync(join(stateDir, 'ledger.json'), 'utf8')) as {
    run_id: string;
    processes: LedgerFileEntry[];
    sockets: Array<{ path: string }>;
  };

describe('ownership ledger in the supervisor', () => {
  const own = new OwnProcesses();
  let rig: Rig;

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvl' });
  }, 30_000);

  afterAll(async () => {
    own.killAll();
    await rig?.close();
  }, 20_000);

  it('cleanup_orphans and reset_sockets spare an external mpv and its live socket, and remove a stale pfx socket', async () => {
    const r = rand();
    const extSock = `/tmp/mpv-ext-${r}.sock`;
    const staleSock = `/tmp/pfx-test-${r}.sock`;
    const ext = await own.mpvWithSocket(extSock);

    const sub = join(rig.dir.path, 'a');
    mkdirSync(sub);
    const since = Date.now();
    const sup = startSupervisor({
      dir: sub,
      config: rig.config({ zones: ['one'], extra: NO_SPARES, zoneKeys: POOL_AT_ONCE }),
    });
    try {
      await rig.ready('one', since, 15_000);
      // The effect pool warms just after ready; the censuses below compare the ledger with the zone's 4 mpv.
      await rig.probe.waitFor(`${rig.base}/one/state`, (m) => poolWarm(m.json), 20_000, since);

      const orphans = await rig.sys({ command: 'cleanup_orphans' });
      expect(orphans).toMatchObject({ outcome: 'success', command: 'cleanup_orphans' });
      expect(orphans.result.mpv_processes_killed).toBe(0);
      expect(orphans.result.killed).toEqual([]);
      expect(isSameProcess(ext.id)).toBe(true);

      // Made stale right before reset_sockets: another test sweeping /tmp has almost no window to take it first.
      const dead = await own.mpvWithSocket(staleSock);
      dead.child.kill('SIGKILL');
      await new Promise((res) => dead.child.once('exit', res));
      expect(lstatSync(staleSock).isSocket()).toBe(true);
      const sockets = await rig.sys({ command: 'reset_sockets' });
      expect(sockets).toMatchObject({ outcome: 'success', command: 'reset_sockets' });
      expect(sockets.result.removed).toContain(staleSock);
      expect(sockets.result.sockets_cleaned).toBeGreaterThanOrEqual(1);
      expect(sockets.result.sockets_cleaned).toBe(sockets.result.removed.length);
      expect(sockets.result.kept_live).toEqual(expect.arrayContaining([extSock, join(sup.runDir, 'control.sock')]));
      expect(existsSync(staleSock)).toBe(false);
      expect(lstatSync(extSock).isSocket()).toBe(true);
      expect(isSameProcess(ext.id)).toBe(true);

      // The zone still works: its own sockets and mpv were not touched either.
      const health = await rig.sys({ command: 'health_check' });
      expect(health.outcome).toBe('success');
      const zone = health.result.zones.find((z: { zone: string }) => z.zone === 'one');
      expect(zone.state).toBe('ready');
      expect(zone.mpv_pids.length).toBeGreaterThanOrEqual(1);
      for (const pid of zone.mpv_pids) expect(isAlive(pid)).toBe(true);
      expect(health.result.ledger.sockets).toBe(2);
      expect(health.result.ledger.processes).toBe(1 + zone.mpv_pids.length);
      expect(health.result.startup_cleanup).toMatchObject({ killed: [], sockets_removed: [] });

      // The ledger on disk holds exactly the worker and its mpv, with their real start times.
      const onDisk = readLedger(sup.stateDir);
      const worker = onDisk.processes.find((p) => p.role === 'worker')!;
      expect(worker).toMatchObject({
        pid: zone.worker_pid,
        zone: 'one',
        starttime: readIdentity(zone.worker_pid)!.starttime,
      });
      const mpv = onDisk.processes.filter((p) => p.role === 'mpv');
      expect(mpv.map((p) => p.pid).sort()).toEqual([...zone.mpv_pids].sort());
      for (const m of mpv) expect(m.parent).toEqual({ pid: worker.pid, starttime: worker.starttime });
    } finally {
      await sup.stop();
    }
    expect(isSameProcess(ext.id)).toBe(true);
    expect(lstatSync(extSock).isSocket()).toBe(true);
    // A clean stop leaves an empty ledger.
    const after = readLedger(join(sub, 'state'));
    expect(after.processes).toEqual([]);
    expect(after.sockets).toEqual([]);
  }, 60_000);

  it('after a SIGKILLed supervisor, the next start kills recorded leftovers and spares a reused PID', async () => {
    const sub = join(rig.dir.path, 'b');
    mkdirSync(sub);
    const config = rig.config({ zones: ['one', 'two'], extra: NO_SPARES, zoneKeys: POOL_AT_ONCE });
    let since = Date.now();
    const first = startSupervisor({ dir: sub, config });
    let second: SupervisorProcess | null = null;
    try {
      await rig.probe.waitFor(`${rig.base}/one/state`, (m) => poolWarm(m.json), 20_000, since);
      await rig.probe.waitFor(`${rig.base}/two/state`, (m) => poolWarm(m.json), 20_000, since);
      // Every worker and mpv of the first run is in its ledger.
      const tree = first.tree();
      await waitFor(
        () => {
          const l = readLedger(first.stateDir);
          return l.processes.length === tree.length && l.processes.every((p) => tree.includes(p.pid));
        },
        5000,
        'the ledger to list the whole tree',
      );
      first.child.kill('SIGKILL');
      await first.exited;

      // Plant leftovers as if the first run had recorded them: one real, one whose PID was "reused".
      const victim = await own.spawn('sleep', ['1000']);
      const bystander = await own.spawn('sleep', ['1000']);
      const external = await own.spawn('sleep', ['1000']);
      const ledger = readLedger(first.stateDir);
      const entry = (id: ProcessIdentity, instance: string): LedgerFileEntry => ({
        ...id,
        role: 'mpv',
        zone: 'one',
        instance,
        spawned_at: new Date().toISOString(),
        parent: null,
        run_id: ledger.run_id,
      });
      ledger.processes.push(
        entry(victim.id, 'one/planted'),
        entry({ pid: bystander.id.pid, starttime: bystander.id.starttime + 4321 }, 'one/reused'),
      );
      writeFileSync(join(first.stateDir, 'ledger.json'), JSON.stringify(ledger));

      since = Date.now();
      second = startSupervisor({ dir: sub, config });
      await rig.probe.waitFor(
        `${rig.base}/one/state`,
        (m) => m.json?.state === 'ready' && m.json?.pid !== null && !tree.includes(m.json.pid),
        15_000,
        since,
      );
      await rig.probe.waitFor(
        `${rig.base}/two/state`,
        (m) => m.json?.state === 'ready' && m.json?.pid !== null && !tree.includes(m.json.pid),
        15_000,
        since,
      );

      expect(isSameProcess(victim.id)).toBe(false);
      expect(isSameProcess(bystander.id)).toBe(true);
      expect(isSameProcess(external.id)).toBe(true);
      expect(tree.filter(isAlive)).toEqual([]);

      const health = await rig.sys({ command: 'health_check' });
      const report = health.result.startup_cleanup;
      expect(report.previous_run_id).toBe(ledger.run_id);
      expect(report.killed).toEqual(
        expect.arrayContaining([expect.objectContaining({ pid: victim.id.pid, role: 'mpv', instance: 'one/planted' })]),
      );
      expect(report.killed.map((k: { pid: number }) => k.pid)).not.toContain(bystander.id.pid);
      expect(report.skipped).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'process',
            pid: bystander.id.pid,
            reason: expect.stringContaining('pid reused'),
          }),
        ]),
      );
      // Whatever of the first run was still alive is reported as killed; everything else as not running.
      for (const k of report.killed) expect([victim.id.pid, ...tree]).toContain(k.pid);
      // The new ledger holds only this run.
      const now = readLedger(second.stateDir);
      expect(now.run_id).not.toBe(ledger.run_id);
      expect(now.processes.map((p) => p.pid)).not.toContain(victim.id.pid);
      expect(now.processes.map((p) => p.pid)).not.toContain(bystander.id.pid);
      expect(now.processes.every((p) => isAlive(p.pid) && !tree.includes(p.pid))).toBe(true);
    } finally {
      await second?.stop();
      await first.stop();
    }
    await sleep(0);
  }, 90_000);
});
