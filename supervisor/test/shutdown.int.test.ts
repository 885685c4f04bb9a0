import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aliveAfter,
  cliPath,
  descendants,
  createRig,
  MqttProbe,
  sleep,
  startSupervisor,
  waitFor,
  type Rig,
  type SupervisorProcess,
} from '@mpvisor/testkit';

// Graceful shutdown, crash handling, sd_notify and journald output, each with real processes.

const ZONES = ['alpha', 'beta'];

async function teardown(env: Rig | undefined, ...sups: Array<SupervisorProcess | undefined>): Promise<void> {
  for (const s of sups) await s?.stop().catch(() => undefined);
  await env?.close();
}

const config = (env: Rig, extra?: string) => env.config({ zones: ZONES, ...(extra ? { extra } : {}) });

async function allReady(env: Rig, since = 0): Promise<void> {
  for (const z of ZONES) await env.ready(z, since, 15_000);
}

const withinMs = async <T>(p: Promise<T>, ms: number): Promise<T> => {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(t);
  }
};

describe('SIGTERM during playback', () => {
  let env: Rig;
  let first: SupervisorProcess | undefined;
  let second: SupervisorProcess | undefined;

  beforeAll(async () => {
    env = await createRig({ prefix: 'mpvsd', base: 'mpvsd' });
  }, 20_000);
  afterAll(() => teardown(env, first, second), 30_000);

  it('exits 0 with nothing left, offline retained, state saved; the next start resumes the music', async () => {
    const cmd = `${env.base}/alpha/commands`;
    const events = `${env.base}/alpha/events`;
    first = startSupervisor({ dir: env.dir.path, config: config(env) });
    await allReady(env);
    const played = await env.probe.command(cmd, events, {
      command: 'playBackground',
      file: 'tone-330.wav',
      loop: true,
    });
    expect(played.outcome).toBe('success');
    await sleep(2500);
    const tree = first.tree();
    expect(tree.length).toBeGreaterThanOrEqual(6);
    const since = Date.now();
    first.child.kill('SIGTERM');
    const exit = await withinMs(first.exited, 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await aliveAfter(tree, 300)).toEqual([]);
    expect(first.output()).toContain('supervisor stopped');

    // System state went through `stopping`; `offline` is retained for late subscribers.
    await env.probe.waitFor(`${env.base}/system/state`, (m) => m.json?.state === 'stopping', 2000, since);
    const late = await MqttProbe.connect(env.broker.url);
    await late.subscribe(`${env.base}/test/availability`);
    const avail = await late.waitFor(`${env.base}/test/availability`, () => true, 3000);
    expect(avail).toMatchObject({ payload: 'offline', retain: true });
    await late.close();

    // The saved state: valid JSON, written atomically (no temp file left), position close to where we were.
    const file = join(first.stateDir, 'zones.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({ version: 1, reason: 'shutdown' });
    expect(saved.zones.alpha.background).toMatchObject({
      file: join(env.media, 'tone-330.wav'),
      status: 'playing',
      loop: true,
    });
    expect(saved.zones.alpha.background.position_s).toBeGreaterThan(1);
    expect(saved.zones.beta.background).toBeUndefined();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Next start: background music comes back on its own, at the saved position.
    const restartAt = Date.now();
    second = startSupervisor({ dir: env.dir.path, config: config(env) });
    await allReady(env, restartAt);
    const read = async (property: string) =>
      (await env.probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property })).result.value;
    await waitFor(
      async () => (await read('path')) === join(env.media, 'tone-330.wav'),
      5000,
      'background path after restart',
    );
    // path is set as soon as loadfile runs; time-pos only once the file has loaded and seeked.
    const pos = await waitFor(
      async () => {
        const v = await read('time-pos');
        return typeof v === 'number' ? { v } : null;
      },
      5000,
      'time-pos after restart',
    ).then((r) => r.v);
    expect(pos).toBeGreaterThanOrEqual(saved.zones.alpha.background.position_s - 0.2);
    const resumed = await env.probe.waitFor(
      events,
      (m) => m.json?.type === 'background' && m.json?.state === 'resumed',
      3000,
      restartAt,
    );
    expect(resumed.json.file).toBe(join(env.media, 'tone-330.wav'));
    await second.stop();
  }, 60_000);
});

describe('bounded and hurried shutdown', () => {
  let env: Rig;
  let sup: SupervisorProcess | undefined;

  beforeAll(async () => {
    env = await createRig({ prefix: 'mpvsb', base: 'mpvsb' });
  }, 20_000);
  afterAll(() => teardown(env, sup), 30_000);

  const caseDir = (name: string) => {
    const d = join(env.dir.path, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const workerPid = async (zone: string) =>
    (
      await env.probe.waitFor(
        `${env.base}/${zone}/state`,
        (m) => typeof m.json?.pid === 'number' && m.json?.state === 'ready',
      )
    ).json.pid as number;

  it('a worker that ignores SIGTERM is killed: exit within stop_timeout_ms + 1 s, exit code 1, new commands refused', async () => {
    const since = Date.now();
    sup = startSupervisor({ dir: caseDir('bounded'), config: config(env, 'stop_timeout_ms = 2000') });
    await allReady(env, since);
    const alpha = await workerPid('alpha');
    const tree = sup.tree();
    process.kill(alpha, 'SIGSTOP');
    const t0 = Date.now();
    sup.child.kill('SIGTERM');
    // Once the supervisor says it is stopping (the signal is handled on its event loop, not at once),
    // while it waits for the stuck worker, a new command gets failed / shutting_down.
    await env.probe.waitFor(`${env.base}/system/state`, (m) => m.json?.state === 'stopping', 3000, t0);
    const refused = await env.probe.command(
      `${env.base}/beta/commands`,
      `${env.base}/beta/events`,
      { command: 'stopBackground' },
      3000,
    );
    expect(refused).toMatchObject({ outcome: 'failed', error_type: 'shutting_down' });
    const exit = await withinMs(sup.exited, 6000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(2000 + 1000);
    expect(exit.code).toBe(1);
    expect(sup.output()).toMatch(/SIGKILL/);
    expect(sup.output()).toContain('not cleanly');
    expect(await aliveAfter(tree, 300)).toEqual([]);
    await sup.stop();
    sup = undefined;
  }, 40_000);

  it('a second SIGINT skips the waiting and ends at once', async () => {
    const since = Date.now();
    await sup?.stop().catch(() => undefined);
    sup = startSupervisor({ dir: caseDir('hurried'), config: config(env, 'stop_timeout_ms = 8000') });
    await allReady(env, since);
    const alpha = await workerPid('alpha');
    const tree = sup.tree();
    process.kill(alpha, 'SIGSTOP');
    sup.child.kill('SIGINT');
    await sleep(1500);
    expect(sup.child.exitCode).toBeNull();
    const t0 = Date.now();
    sup.child.kill('SIGINT');
    const exit = await withinMs(sup.exited, 5000);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(exit.code).toBe(1);
    expect(sup.output()).toContain('second SIGINT');
    expect(await aliveAfter(tree, 300)).toEqual([]);
    await sup.stop();
    sup = undefined;
  }, 40_000);

  it('an uncaught exception is logged with its stack, shuts down in order and exits non-zero', async () => {
    const since = Date.now();
    await sup?.stop().catch(() => undefined);
    sup = startSupervisor({ dir: caseDir('crash'), config: config(env), env: { MPVISOR_TEST_CRASH_AFTER_MS: '2500' } });
    await allReady(env, since);
    const tree = sup.tree();
    const exit = await withinMs(sup.exited, 15_000);
    expect(exit.code).toBe(1);
    const out = sup.output();
    expect(out).toContain('uncaught exception: injected crash');
    expect(out).toMatch(/Error: injected crash[^\n]*(\\n|\n)\s*at /);
    expect(out).toContain('supervisor stopping');
    await env.probe.waitFor(`${env.base}/test/availability`, (m) => m.payload === 'offline', 3000, since);
    expect(await aliveAfter(tree, 300)).toEqual([]);
    await sup.stop();
    sup = undefined;
  }, 40_000);
});

describe('systemd integration', () => {
  let env: Rig;
  let sup: SupervisorProcess | undefined;
  let receiver: ChildProcess | undefined;

  beforeAll(async () => {
    env = await createRig({ prefix: 'mpvsn', base: 'mpvsn' });
  }, 20_000);
  afterAll(async () => {
    if (receiver && receiver.exitCode === null) {
      const gone = new Promise((r) => receiver!.once('exit', r));
      receiver.kill('SIGKILL');
      await gone;
    }
    await teardown(env, sup);
  }, 30_000);

  it('sends READY=1 with STATUS once zones are ready, and STOPPING=1 at shutdown (NOTIFY_SOCKET)', async () => {
    // Node cannot bind AF_UNIX datagram sockets: a few lines of python stand in for systemd.
    const sock = join(env.dir.path, 'notify.sock');
    const script = join(env.dir.path, 'notify-recv.py');
    writeFileSync(
      script,
      [
        'import socket, sys',
        's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
        's.bind(sys.argv[1])',
        'print("LISTENING", flush=True)',
        'while True:',
        '    data = s.recv(65536)',
        '    print(data.decode(errors="replace").replace("\\n", " | "), flush=True)',
      ].join('\n'),
    );
    receiver = spawn('python3', [script, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    receiver.stdout!.on('data', (d: Buffer) => (got += d.toString()));
    await waitFor(() => got.includes('LISTENING'), 5000, 'the notify receiver');
    const since = Date.now();
    sup = startSupervisor({ dir: env.dir.path, config: config(env), env: { NOTIFY_SOCKET: sock } });
    await allReady(env, since);
    await waitFor(() => /READY=1/.test(got), 5000, 'READY=1');
    const readyLine = got.split('\n').find((l) => l.includes('READY=1'))!;
    expect(readyLine).toContain('STATUS=2/2 zones ready');
    expect(readyLine).toContain(`MAINPID=${sup.pid}`);
    sup.child.kill('SIGTERM');
    expect((await withinMs(sup.exited, 10_000)).code).toBe(0);
    await waitFor(() => /STOPPING=1/.test(got), 3000, 'STOPPING=1');
    expect(got.indexOf('READY=1')).toBeLessThan(got.indexOf('STOPPING=1'));
    await sup.stop();
    sup = undefined;
  }, 40_000);

  it('under journald (JOURNAL_STREAM matches stdout): <N> prefixes, no timestamps, zone and role on zone lines', async () => {
    const runDir = join(env.dir.path, 'jrun');
    const stateDir = join(env.dir.path, 'jstate');
    const ini = join(env.dir.path, 'journal.ini');
    writeFileSync(ini, config(env));
    writeFileSync(join(env.media, 'broken.wav'), 'this is not audio\n'.repeat(64));
    const outFile = join(env.dir.path, 'journal.out');
    const fd = openSync(outFile, 'w');
    const st = statSync(outFile);
    const since = Date.now();
    const child = spawn(
      process.execPath,
      [cliPath, 'run', '--config', ini, '--run-dir', runDir, '--state-dir', stateDir],
      {
        // NODE_DEBUG makes each worker write to its own stderr, which the supervisor must relay as [zone/worker].
        env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}`, NODE_DEBUG: 'net' },
        stdio: ['ignore', fd, 'ignore'],
      },
    );
    closeSync(fd);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await allReady(env, since);
      const tree = descendants(child.pid!);
      // mpv complains about a file it cannot play: its own lines arrive tagged with zone and role.
      await env.probe.command(`${env.base}/alpha/commands`, `${env.base}/alpha/events`, {
        command: 'playBackground',
        file: 'broken.wav',
      });
      await waitFor(
        () => readFileSync(outFile, 'utf8').includes('[alpha/background]'),
        5000,
        'an mpv line tagged [alpha/background]',
      );
      child.kill('SIGTERM');
      expect(await withinMs(exited, 10_000)).toBe(0);
      const lines = readFileSync(outFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      expect(lines.length).toBeGreaterThan(10);
      for (const l of lines) {
        expect(l).toMatch(/^<[0-7]>/);
        expect(l).not.toMatch(/^<\d>\d{2}:\d{2}:\d{2}/);
        expect(l).not.toMatch(/^<\d>\{"timestamp"/);
      }
      expect(lines.some((l) => /^<4>\[alpha\/worker\] NET /.test(l))).toBe(true);
      expect(lines.some((l) => /^<\d>\[beta\] zone ready/.test(l))).toBe(true);
      expect(lines.some((l) => l.includes('[alpha/background]'))).toBe(true);
      expect(lines.some((l) => l.startsWith('<6>supervisor started'))).toBe(true);
      expect(await aliveAfter(tree, 300)).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 40_000);
});
