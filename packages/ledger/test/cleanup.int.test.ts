import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanupLeftovers,
  findOrphans,
  killOrphans,
  Ledger,
  LEGACY_SOCKET_PATTERNS,
  probeSocket,
  sweepStaleSockets,
} from '../src/index.js';
import { isSameProcess, readIdentity, readStat, type ProcessIdentity } from '@mpvisor/sys';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const rand = () => randomBytes(4).toString('hex');

const children: ChildProcess[] = [];
const files: string[] = [];
const servers: Server[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const f of files.splice(0)) rmSync(f, { force: true });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ldgi-'));
  dirs.push(d);
  return d;
};

const waitUntil = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Spawn and wait until the PID has its own /proc entry (after exec) */
async function start(
  cmd: string,
  args: string[],
  opts: { detached?: boolean } = {},
): Promise<{ child: ChildProcess; id: ProcessIdentity }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: opts.detached ?? false });
  children.push(child);
  const pid = child.pid!;
  await waitUntil(() => readStat(pid)?.comm === cmd.split('/').pop()!.slice(0, 15), 5000, `${cmd} to exec`);
  return { child, id: readIdentity(pid)! };
}

const sleeper = () => start('sleep', ['1000']);

/** A child that listens on a Unix socket, then is SIGKILLed: the file stays, connect gives ECONNREFUSED. */
async function staleSocket(path: string): Promise<void> {
  files.push(path);
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(lstatSync(path).isSocket()).toBe(true);
  expect((await probeSocket(path)).status).toBe('stale');
}

async function liveSocket(path: string): Promise<void> {
  files.push(path);
  const server = createServer((s) => s.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

function regularFile(path: string): void {
  files.push(path);
  writeFileSync(path, 'not a socket');
}

async function ledgerWith(dir: string, fill: (l: Ledger) => void): Promise<Ledger> {
  const writer = new Ledger({ dir });
  writer.beginRun('previous', null);
  fill(writer);
  await writer.flush();
  const l = new Ledger({ dir });
  await l.load();
  return l;
}

describe('cleanupLeftovers', () => {
  it('terminates a recorded process of a previous run and leaves an unrecorded one alone', async () => {
    const ours = await sleeper();
    const theirs = await sleeper();
    const l = await ledgerWith(tmp(), (w) =>
      w.recordProcess({ ...ours.id, role: 'mpv', zone: 'z', instance: 'background' }),
    );
    const report = await cleanupLeftovers(l);
    expect(report.killed).toEqual([
      expect.objectContaining({ pid: ours.id.pid, role: 'mpv', zone: 'z', instance: 'background', signal: 'SIGTERM' }),
    ]);
    expect(isSameProcess(ours.id)).toBe(false);
    expect(isSameProcess(theirs.id)).toBe(true);
    expect(l.processes).toHaveLength(0);
    await l.flush();
    expect((await ledgerWith(l.file.replace(/\/ledger\.json$/, ''), () => {})).processes).toHaveLength(0);
  });

  it("a ledger of another boot naming a live process's real pid and start time signals nothing", async () => {
    const p = await sleeper();
    const dir = tmp();
    const writer = new Ledger({ dir, bootId: 'a-boot-before-this-one' });
    writer.beginRun('previous', null);
    writer.recordProcess({ ...p.id, role: 'worker', zone: 'z', instance: 'worker' });
    await writer.flush();
    const l = new Ledger({ dir });
    expect((await l.load()).otherBoot).toMatchObject({ processes: 1 });
    const report = await cleanupLeftovers(l);
    expect(report.killed).toEqual([]);
    expect(l.processes).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(isSameProcess(p.id)).toBe(true);
  });

  it('does not kill a PID whose start time differs from the ledger (PID reused)', async () => {
    const p = await sleeper();
    const l = await ledgerWith(tmp(), (w) =>
      w.recordProcess({ pid: p.id.pid, starttime: p.id.starttime - 7, role: 'mpv' }),
    );
    const report = await cleanupLeftovers(l);
    expect(report.killed).toEqual([]);
    expect(report.skipped).toEqual([
      expect.objectContaining({ kind: 'process', pid: p.id.pid, reason: expect.stringContaining('pid reused') }),
    ]);
    expect(isSameProcess(p.id)).toBe(true);
    // The stale entry is forgotten: the PID is someone else's now.
    expect(l.processes).toHaveLength(0);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    await new Promise<void>((r) => child.stdout!.once('data', () => r()));
    const id = readIdentity(child.pid!)!;
    const l = await ledgerWith(tmp(), (w) => w.recordProcess({ ...id, role: 'mpv' }));
    const report = await cleanupLeftovers(l, { termGraceMs: 300 });
    expect(report.killed).toEqual([expect.objectContaining({ pid: id.pid, signal: 'SIGKILL' })]);
    expect(isSameProcess(id)).toBe(false);
  });

  it('takes down the whole group of a recorded worker that leads its group', async () => {
    const worker = await start('sh', ['-c', 'sleep 1000 & sleep 1000 & wait'], { detached: true });
    let kids: number[] = [];
    await waitUntil(
      () => {
        kids = readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .map(Number)
          .filter((pid) => readStat(pid)?.ppid === worker.id.pid && readStat(pid)?.comm === 'sleep');
        return kids.length === 2;
      },
      5000,
      'two sleeps under the fake worker',
    );
    const kidIds = kids.map((k) => readIdentity(k)!);
    const l = await ledgerWith(tmp(), (w) => w.recordProcess({ ...worker.id, role: 'worker', zone: 'z' }));
    const report = await cleanupLeftovers(l);
    expect(report.killed.map((k) => k.pid)).toEqual([worker.id.pid]);
    await waitUntil(() => kidIds.every((k) => !isSameProcess(k)), 3000, 'the worker group to end');
  });

  it('does nothing while the supervisor that wrote the ledger is still running', async () => {
    const fakeSupervisor = await sleeper();
    const p = await sleeper();
    const dir = tmp();
    const w = new Ledger({ dir });
    w.beginRun('other', fakeSupervisor.id);
    w.recordProcess({ ...p.id, role: 'mpv' });
    await w.flush();
    const l = new Ledger({ dir });
    await l.load();
    const report = await cleanupLeftovers(l);
    expect(report.killed).toEqual([]);
    expect(report.skipped[0]).toMatchObject({ kind: 'run', reason: expect.stringContaining('still running') });
    expect(isSameProcess(p.id)).toBe(true);
    expect(l.processes).toHaveLength(1);
  });

  it('removes only recorded sockets that refuse connections; live sockets and regular files stay', async () => {
    // A private folder: a concurrent sweep of /tmp (another test's reset_sockets) cannot interfere.
    const d = tmp();
    const stale = join(d, 'stale.sock');
    const live = join(d, 'live.sock');
    const plain = join(d, 'plain.sock');
    await staleSocket(stale);
    await liveSocket(live);
    regularFile(plain);
    const l = await ledgerWith(tmp(), (w) => {
      for (const p of [stale, live, plain, join(d, 'missing.sock')]) w.recordSocket(p);
    });
    const report = await cleanupLeftovers(l);
    expect(report.sockets_removed).toEqual([stale]);
    expect(existsSync(stale)).toBe(false);
    expect(lstatSync(live).isSocket()).toBe(true);
    expect((await probeSocket(live)).status).toBe('live');
    expect(lstatSync(plain).isFile()).toBe(true);
    expect(report.skipped.map((s) => s.path).sort()).toEqual([live, plain].sort());
  });

  it('current-run entries are not leftovers', async () => {
    const p = await sleeper();
    const l = new Ledger({ dir: tmp() });
    await l.load();
    l.beginRun('now');
    l.recordProcess({ ...p.id, role: 'mpv' });
    const report = await cleanupLeftovers(l);
    expect(report.killed).toEqual([]);
    expect(isSameProcess(p.id)).toBe(true);
    await l.flush();
  });
});

describe('sweepStaleSockets in /tmp', () => {
  it('the legacy ParadoxFX patterns', () => {
    expect(LEGACY_SOCKET_PATTERNS).toEqual(['/tmp/pfx-*.sock', '/tmp/mpv-*.sock']);
  });

  // The patterns are narrowed to this test's random tag so that it never removes another test's stale
  // socket while that test still needs it; the code path (readdir of /tmp + name filter) is the same.
  it('removes a stale socket, keeps a live one, an external mpv socket and a regular file', async () => {
    const r = rand();
    const stale = `/tmp/pfx-test-${r}.sock`;
    const live = `/tmp/pfx-test-${r}-live.sock`;
    const plain = `/tmp/pfx-test-x-${r}.sock`;
    const mpvSock = `/tmp/mpv-ext-${r}.sock`;
    await staleSocket(stale);
    await liveSocket(live);
    regularFile(plain);
    files.push(mpvSock);
    const mpv = spawn('mpv', ['--idle=yes', '--ao=null', '--vo=null', '--no-config', `--input-ipc-server=${mpvSock}`], {
      stdio: 'ignore',
    });
    children.push(mpv);
    await waitUntil(() => existsSync(mpvSock), 10_000, 'mpv to create its socket');
    expect((await probeSocket(mpvSock)).status).toBe('live');
    const mpvId = readIdentity(mpv.pid!)!;

    const patterns = [`/tmp/pfx-*${r}*.sock`, `/tmp/mpv-*${r}*.sock`];
    const report = await sweepStaleSockets(patterns);
    expect(report.removed).toEqual([stale]);
    expect(report.kept_live).toEqual(expect.arrayContaining([live, mpvSock]));
    expect(report.kept_not_socket).toContain(plain);
    expect(existsSync(stale)).toBe(false);
    expect(lstatSync(live).isSocket()).toBe(true);
    expect(lstatSync(mpvSock).isSocket()).toBe(true);
    expect(lstatSync(plain).isFile()).toBe(true);
    expect(isSameProcess(mpvId)).toBe(true);
    // The pattern is a name filter, nothing more: a stale socket under another name stays.
    const other = `/tmp/pfxtest-${r}.sock`;
    await staleSocket(other);
    await sweepStaleSockets(patterns);
    expect(existsSync(other)).toBe(true);
    unlinkSync(other);
  }, 20_000);
});

describe('orphans', () => {
  it('finds and kills exactly the recorded mpv whose worker died; an unrecorded process survives', async () => {
    // A fake worker: a node process that starts a child (the "mpv") and reports its PID.
    const worker = spawn(
      process.execPath,
      [
        '-e',
        "const c = require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)",
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(worker);
    const mpvPid = Number(
      await new Promise<string>((r) => worker.stdout!.once('data', (d: Buffer) => r(d.toString().trim()))),
    );
    await waitUntil(() => readStat(mpvPid)?.comm === 'sleep', 5000, 'the fake mpv to exec');
    const workerId = readIdentity(worker.pid!)!;
    const mpvId = readIdentity(mpvPid)!;
    const bystander = await sleeper();
    const healthy = await sleeper(); // recorded as an mpv of a live worker (this test process)
    const l = new Ledger({ dir: tmp() });
    l.beginRun('now');
    l.recordProcess({ ...workerId, role: 'worker', zone: 'z' });
    l.recordProcess({ ...mpvId, role: 'mpv', zone: 'z', instance: 'background', parent: workerId });
    l.recordProcess({ ...healthy.id, role: 'mpv', zone: 'y', instance: 'speech', parent: readIdentity(process.pid)! });
    expect(findOrphans(l)).toEqual([]);

    worker.kill('SIGKILL');
    await waitUntil(() => !isSameProcess(workerId), 3000, 'the worker to die');
    expect(isSameProcess(mpvId)).toBe(true);
    const orphans = findOrphans(l);
    expect(orphans.map((o) => o.entry.pid)).toEqual([mpvId.pid]);
    const report = await killOrphans(l, orphans);
    expect(report.killed).toEqual([expect.objectContaining({ pid: mpvId.pid, role: 'mpv', zone: 'z' })]);
    expect(isSameProcess(mpvId)).toBe(false);
    expect(isSameProcess(bystander.id)).toBe(true);
    expect(isSameProcess(healthy.id)).toBe(true);
    expect(l.processes.map((p) => p.pid).sort()).toEqual([workerId.pid, healthy.id.pid].sort());
    await l.flush();
  });
});

describe('atomic write', () => {
  it('a crash between the temp file and the rename leaves the old ledger readable', async () => {
    const dir = tmp();
    const before = new Ledger({ dir });
    before.beginRun('old', null);
    before.recordSocket('/tmp/old-entry.sock');
    await before.flush();

    const script = `
      import { Ledger } from ${JSON.stringify(distIndex)};
      const l = new Ledger({ dir: ${JSON.stringify(dir)}, beforeRename: () => process.kill(process.pid, 'SIGKILL') });
      await l.load();
      l.beginRun('new', null);
      l.recordSocket('/tmp/new-entry.sock');
      await l.flush();
      console.log('not reached');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exit = await new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
    expect(exit).toBe('SIGKILL');
    expect(out).toBe('');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);

    const after = new Ledger({ dir });
    expect(await after.load()).toMatchObject({ status: 'loaded', strayTempFiles: 1 });
    expect(after.runId).toBe('old');
    expect(after.sockets.map((s) => s.path)).toEqual(['/tmp/old-entry.sock']);
    expect(readdirSync(dir)).toEqual(['ledger.json']);
  });
});
