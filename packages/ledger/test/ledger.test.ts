import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, parseLedger, nameMatcher, expandPatterns } from '../src/index.js';
import { readBootId, readIdentity, readStat, isSameProcess } from '@mpvisor/sys';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ldg-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const warnings: string[] = [];
const log = { warn: (m: string) => void warnings.push(m) };

describe('process identity', () => {
  it('reads pid and starttime of this process from /proc/PID/stat', () => {
    const id = readIdentity(process.pid);
    expect(id).not.toBeNull();
    expect(id!.pid).toBe(process.pid);
    expect(Number.isInteger(id!.starttime)).toBe(true);
    expect(id!.starttime).toBeGreaterThan(0);
    expect(readIdentity(process.pid)).toEqual(id);
    expect(readStat(process.pid)!.ppid).toBe(process.ppid);
  });

  it('is null for a PID that does not exist or is not a PID', () => {
    expect(readIdentity(0)).toBeNull();
    expect(readIdentity(-5)).toBeNull();
    expect(readIdentity(2 ** 30)).toBeNull();
  });

  it('isSameProcess needs the same starttime', () => {
    const id = readIdentity(process.pid)!;
    expect(isSameProcess(id)).toBe(true);
    expect(isSameProcess({ pid: id.pid, starttime: id.starttime + 1 })).toBe(false);
    expect(isSameProcess({ pid: 2 ** 30, starttime: id.starttime })).toBe(false);
  });
});

describe('boot id', () => {
  it("reads this boot's id from the kernel; a missing or empty file gives null", () => {
    expect(readBootId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(readBootId(join(tmp(), 'absent'))).toBeNull();
    const empty = join(tmp(), 'boot_id');
    writeFileSync(empty, '\n');
    expect(readBootId(empty)).toBeNull();
  });

  it('is persisted; a ledger of another boot (or of none) loads without process or module entries', async () => {
    const dir = tmp();
    const before = new Ledger({ dir, bootId: 'boot-a' });
    before.beginRun('run-a', { pid: 4000, starttime: 1 });
    before.recordProcess({ pid: 4242, starttime: 99, role: 'worker' });
    before.recordSocket('/tmp/x/workers.sock');
    before.recordPulseModule({ module_index: 3, sink_name: 'mpvisor_z', tag: 'mpvisor' });
    await before.flush();
    expect(parseLedger(readFileSync(join(dir, 'ledger.json'), 'utf8')).boot_id).toBe('boot-a');

    const sameBoot = new Ledger({ dir, bootId: 'boot-a' });
    expect(await sameBoot.load()).toEqual({ status: 'loaded', strayTempFiles: 0 });
    expect(sameBoot.counts()).toEqual({ processes: 1, sockets: 1, pulse_modules: 1 });

    const infos: string[] = [];
    const afterReboot = new Ledger({ dir, bootId: 'boot-b', log: { warn: () => {}, info: (m) => void infos.push(m) } });
    expect((await afterReboot.load()).otherBoot).toEqual({ boot_id: 'boot-a', processes: 1, pulse_modules: 1 });
    expect(afterReboot.counts()).toEqual({ processes: 0, sockets: 1, pulse_modules: 0 });
    expect(afterReboot.supervisor).toBeNull();
    expect(infos[0]).toContain('another (or an unknown) boot');
    await afterReboot.flush();
    expect(parseLedger(readFileSync(join(dir, 'ledger.json'), 'utf8'))).toMatchObject({
      boot_id: 'boot-b',
      processes: [],
    });

    const legacy = JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8')) as Record<string, unknown>;
    delete legacy.boot_id;
    legacy.processes = [{ pid: 4242, starttime: 99, role: 'worker' }];
    writeFileSync(join(dir, 'ledger.json'), JSON.stringify(legacy));
    const fromOldVersion = new Ledger({ dir, bootId: 'boot-b' });
    expect((await fromOldVersion.load()).otherBoot).toMatchObject({ boot_id: null, processes: 1 });

    // Where the kernel does not tell the boot (no /proc/sys), no entry can be shown to be of this boot.
    const unknown = new Ledger({ dir: tmp(), bootId: null });
    unknown.beginRun('run-x', null);
    unknown.recordProcess({ pid: 4242, starttime: 99, role: 'worker' });
    await unknown.flush();
    const unknownAgain = new Ledger({ dir: unknown.file.replace(/\/ledger\.json$/, ''), bootId: null });
    expect((await unknownAgain.load()).otherBoot).toMatchObject({ boot_id: null, processes: 1 });
  });
});

describe('Ledger persistence', () => {
  it('starts empty when the file is missing and writes every change atomically', async () => {
    const dir = tmp();
    const l = new Ledger({ dir, log });
    expect((await l.load()).status).toBe('missing');
    const runId = l.beginRun('run-1');
    l.recordProcess({ pid: 4242, starttime: 99, role: 'worker', zone: 'z1', instance: 'worker' });
    l.recordProcess({
      pid: 4243,
      starttime: 100,
      role: 'mpv',
      zone: 'z1',
      instance: 'background',
      parent: { pid: 4242, starttime: 99 },
    });
    l.recordSocket('/tmp/x/control.sock');
    l.recordPulseModule({ module_index: 17, sink_name: 'mpvisor_z1', tag: 'mpvisor' });
    expect(await l.flush()).toBe(true);
    const onDisk = parseLedger(readFileSync(join(dir, 'ledger.json'), 'utf8'));
    expect(onDisk.run_id).toBe(runId);
    expect(onDisk.supervisor).toEqual(readIdentity(process.pid));
    expect(onDisk.processes.map((p) => [p.pid, p.role, p.run_id])).toEqual([
      [4242, 'worker', 'run-1'],
      [4243, 'mpv', 'run-1'],
    ]);
    expect(onDisk.processes[1]!.parent).toEqual({ pid: 4242, starttime: 99 });
    expect(onDisk.sockets.map((s) => s.path)).toEqual(['/tmp/x/control.sock']);
    expect(onDisk.pulse_modules[0]).toMatchObject({ module_index: 17, sink_name: 'mpvisor_z1', tag: 'mpvisor' });
    // No temp file is left behind.
    expect(readdirSync(dir)).toEqual(['ledger.json']);

    const again = new Ledger({ dir, log });
    expect((await again.load()).status).toBe('loaded');
    expect(again.counts()).toEqual({ processes: 2, sockets: 1, pulse_modules: 1 });
    expect(again.currentRunId).toBeNull();
    expect(again.runId).toBe('run-1');
  });

  it('forgets exactly what it is told: a different starttime keeps the entry', async () => {
    const l = new Ledger({ dir: tmp() });
    l.beginRun();
    l.recordProcess({ pid: 10, starttime: 5, role: 'mpv' });
    expect(l.forgetProcess(10, 6)).toBe(false);
    expect(l.processes).toHaveLength(1);
    expect(l.forgetProcess(10, 5)).toBe(true);
    expect(l.processes).toHaveLength(0);
    l.recordSocket('/tmp/a.sock');
    l.recordSocket('/tmp/a.sock');
    expect(l.sockets).toHaveLength(1);
    expect(l.forgetSocket('/tmp/a.sock')).toBe(true);
    expect(l.forgetSocket('/tmp/a.sock')).toBe(false);
    // A PID recorded again replaces its stale entry.
    l.recordProcess({ pid: 11, starttime: 1, role: 'mpv' });
    l.recordProcess({ pid: 11, starttime: 2, role: 'mpv' });
    expect(l.processes.map((p) => p.starttime)).toEqual([2]);
    await l.flush();
  });

  it('serializes and coalesces writes: 200 changes, a handful of writes, last state on disk', async () => {
    const dir = tmp();
    const l = new Ledger({ dir });
    l.beginRun('r');
    for (let i = 0; i < 200; i++) l.recordProcess({ pid: 1000 + i, starttime: i, role: 'mpv' });
    for (let i = 0; i < 100; i++) l.forgetProcess(1000 + i);
    expect(await l.flush()).toBe(true);
    expect(l.stats().writes).toBeLessThanOrEqual(3);
    const onDisk = parseLedger(readFileSync(join(dir, 'ledger.json'), 'utf8'));
    expect(onDisk.processes).toHaveLength(100);
    expect(onDisk.processes[0]!.pid).toBe(1100);
  });

  it('never has two writes in flight', async () => {
    const dir = tmp();
    let inFlight = 0;
    let maxInFlight = 0;
    const l = new Ledger({
      dir,
      beforeRename: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
      },
    });
    l.beginRun('r');
    for (let i = 0; i < 5; i++) {
      l.recordSocket(`/tmp/s${i}.sock`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await l.flush();
    expect(maxInFlight).toBe(1);
    expect(parseLedger(readFileSync(join(dir, 'ledger.json'), 'utf8')).sockets).toHaveLength(5);
  });

  it('flush is bounded in time when a write hangs', async () => {
    let release!: () => void;
    const l = new Ledger({
      dir: tmp(),
      log,
      writeTimeoutMs: 100,
      beforeRename: () => new Promise<void>((r) => (release = r)),
    });
    l.beginRun('r');
    const t0 = Date.now();
    expect(await l.flush()).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
    release();
    expect(await l.flush(2000)).toBe(true);
  });

  it('moves a corrupt file aside with a warning and starts empty', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'ledger.json'), '{"version": 1, "processes": [{"pid": "oops"');
    warnings.length = 0;
    const l = new Ledger({ dir, log });
    const r = await l.load();
    expect(r.status).toBe('corrupt');
    expect(existsSync(r.movedTo!)).toBe(true);
    expect(existsSync(join(dir, 'ledger.json'))).toBe(false);
    expect(l.counts().processes).toBe(0);
    expect(warnings.some((w) => w.includes('corrupt'))).toBe(true);
  });

  it('rejects entries that could point cleanup at the wrong process', () => {
    expect(() =>
      parseLedger('{"version":1,"processes":[{"pid":1,"starttime":5,"role":"mpv"}],"sockets":[]}'),
    ).toThrow();
    expect(() => parseLedger('{"version":1,"processes":[{"pid":50,"role":"mpv"}],"sockets":[]}')).toThrow();
    expect(() => parseLedger('{"version":1,"processes":[],"sockets":[{"path":"relative.sock"}]}')).toThrow();
    expect(() => parseLedger('[]')).toThrow();
    expect(parseLedger('{"version":1,"processes":[],"sockets":[]}').pulse_modules).toEqual([]);
  });

  it('removes temp files of an interrupted write on load and keeps the old contents', async () => {
    const dir = tmp();
    const l = new Ledger({ dir });
    l.beginRun('old');
    l.recordSocket('/tmp/old.sock');
    await l.flush();
    writeFileSync(join(dir, 'ledger.json.999.1.tmp'), '{"version":1,"proc');
    const again = new Ledger({ dir });
    const r = await again.load();
    expect(r).toMatchObject({ status: 'loaded', strayTempFiles: 1 });
    expect(again.sockets.map((s) => s.path)).toEqual(['/tmp/old.sock']);
    expect(readdirSync(dir)).toEqual(['ledger.json']);
  });
});

describe('socket name patterns', () => {
  it('matches * and ? in the file name only, literally otherwise', () => {
    const m = nameMatcher('pfx-*.sock');
    expect(m('pfx-zone1.sock')).toBe(true);
    expect(m('pfx-.sock')).toBe(true);
    expect(m('pfx-zone1.sockx')).toBe(false);
    expect(m('xpfx-a.sock')).toBe(false);
    expect(m('pfx-aXsock')).toBe(false);
    expect(nameMatcher('mpv-?.sock')('mpv-1.sock')).toBe(true);
  });

  it('expands patterns with a plain readdir', async () => {
    const dir = tmp();
    for (const n of ['pfx-a.sock', 'pfx-b.sock', 'other.sock', 'pfx-c.txt']) writeFileSync(join(dir, n), '');
    expect(
      await expandPatterns([join(dir, 'pfx-*.sock'), join(dir, 'exact.sock'), join(dir, 'nope', '*.sock')]),
    ).toEqual([join(dir, 'exact.sock'), join(dir, 'pfx-a.sock'), join(dir, 'pfx-b.sock')].sort());
    await expect(expandPatterns([join(dir, '*', 'x.sock')])).rejects.toThrow(/file name only/);
  });
});
