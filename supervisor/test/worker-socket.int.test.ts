import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseConfigText } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import { commOf, createRig, isNodeComm, descendants, tempDir, testIni, waitFor, type Rig } from '@mpvisor/testkit';
import { systemClock } from '../src/clock.js';
import { SparePool } from '../src/zones/spare-pool.js';
import { ZoneRunner } from '../src/zones/zone-runner.js';

// Impostors on the worker socket: a process of our own user that knows a worker's pid (it is public)
// must not take over that worker's zone or spare. Real supervisor, workers, mpv and Mosquitto.

const base = 'mpvw';

function ini(port: number, media: string): string {
  return testIni({
    port,
    base,
    media,
    logLevel: 'info',
    global: ['heartbeat_enabled = false'],
    system: ['warm_spares = 1', 'startup_timeout_ms = 8000', 'heartbeat_timeout_ms = 1500'],
    zones: [{ name: 'lobby' }],
  });
}

/** node-ipc's framing, as the worker's client writes it. */
const frame = (data: unknown) => `${JSON.stringify({ type: 'mpvisor.msg', data })}\f`;

/** Connects as a worker would, says `hello` and what an attached worker could say; resolves true if the supervisor closed the connection. */
async function impostor(socketPath: string, hello: Record<string, unknown>): Promise<boolean> {
  const s: Socket = connect(socketPath);
  s.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<boolean>((resolve) => {
    s.once('close', () => resolve(true));
    timer = setTimeout(() => resolve(false), 3000);
  });
  s.write(frame({ type: 'hello', ...hello }));
  s.write(frame({ type: 'state', media: { background: { file: '/etc/passwd', status: 'playing', volume: 100 } } }));
  s.write(frame({ type: 'heartbeat', seq: 1, mpv: [], healthy: false, problems: ['impostor'] }));
  s.write(frame({ type: 'warning', message: 'impostor warning' }));
  const result = await closed;
  clearTimeout(timer);
  s.destroy();
  return result;
}

/** A process's environment as any process of the same user can read it. */
function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((e) => e !== '');
  } catch {
    return [];
  }
}

/** Entries of an environment that this test's own environment (which the supervisor inherits) lacks. */
function added(env: string[]): string[] {
  const ours = new Set(Object.entries(process.env).map(([k, v]) => `${k}=${v}`));
  return env.filter((e) => !ours.has(e));
}

describe('worker socket: a hello needs the pid and the token of that spawn, once', () => {
  let rig: Rig;
  const workerSocket = () => join(rig.sup.runDir, 'workers.sock');
  const cmd = (body: object) => rig.cmd('lobby', body, 10_000);
  const sys = (body: object) => rig.sys(body, 10_000);

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvw', base });
    rig.start(ini(rig.broker.port, rig.media));
    await rig.ready('lobby', 0, 15_000);
    await waitFor(
      async () =>
        ((await sys({ command: 'status' })).result.spares as Array<{ state: string }>).some((s) => s.state === 'ready'),
      15_000,
      'a ready spare',
    );
  }, 40_000);

  afterAll(async () => {
    await rig?.close();
  }, 30_000);

  it('refuses the right pid with no token or a wrong one; the zone and the spare keep working', async () => {
    const before = (await cmd({ command: 'status' })).result;
    const spare = (await sys({ command: 'status' })).result.spares[0];
    await cmd({ command: 'playBackground', file: 'tone-220.wav', loop: true });
    const since = Date.now();

    expect(await impostor(workerSocket(), { zone: 'lobby', pid: before.pid, protocol: 1 })).toBe(true);
    expect(
      await impostor(workerSocket(), {
        zone: 'lobby',
        pid: before.pid,
        protocol: 1,
        token: randomBytes(16).toString('hex'),
      }),
    ).toBe(true);
    expect(await impostor(workerSocket(), { zone: 'lobby', pid: before.pid, protocol: 1, token: '' })).toBe(true);
    // The real token is in no environment to read (next test); that a linked worker's own token is
    // refused a second time is shown with the fixture worker below.
    expect(
      await impostor(workerSocket(), {
        zone: null,
        pid: spare.pid,
        protocol: 1,
        token: randomBytes(16).toString('hex'),
      }),
    ).toBe(true);

    expect(rig.sup.output()).toMatch(/refused worker hello/);
    const after = (await cmd({ command: 'status' })).result;
    expect(after).toMatchObject({ state: 'ready', pid: before.pid, restarts: before.restarts });
    expect(after.background.file).not.toBe('/etc/passwd');
    expect(after.errors).toEqual(before.errors);
    const got = await cmd({ command: 'getState' });
    expect(got.outcome).toBe('success');
    expect(got.result.background.file).toContain('tone-220.wav');
    const spares = (await sys({ command: 'status' })).result.spares;
    expect(spares).toEqual([expect.objectContaining({ pid: spare.pid, state: 'ready' })]);
    // Nothing an impostor said reached MQTT.
    expect(rig.probe.messages.filter((m) => m.at >= since && m.payload.includes('impostor'))).toEqual([]);
  }, 40_000);

  it('no environment of ours holds a bootstrap or a token; mpv gets only allow-listed variables', async () => {
    const ours = descendants(rig.sup.pid);
    const workers = ours.filter((pid) => isNodeComm(commOf(pid)));
    const mpv = ours.filter((pid) => commOf(pid) === 'mpv');
    expect(workers.length).toBeGreaterThanOrEqual(2); // the zone's worker and the spare
    expect(mpv.length).toBeGreaterThanOrEqual(4);
    for (const pid of [rig.sup.pid, ...ours]) {
      const env = environOf(pid);
      expect(env.length).toBeGreaterThan(0);
      // The token is 32 hex digits; a bootstrap would name its token and socketPath.
      expect(added(env).filter((e) => /BOOTSTRAP|token|socketPath|[0-9a-f]{32}/i.test(e))).toEqual([]);
    }
    const allowed =
      /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TZ|TMPDIR|XDG_\w+|PULSE_\w+|PIPEWIRE_\w+|ALSA_CONFIG_PATH|JACK_DEFAULT_SERVER|DISPLAY|XAUTHORITY|WAYLAND_DISPLAY|DBUS_SESSION_BUS_ADDRESS|LIBVA_DRIVER_NAME|VDPAU_DRIVER|MESA_LOADER_DRIVER_OVERRIDE|LIBGL_ALWAYS_SOFTWARE|FONTCONFIG_\w+|LD_LIBRARY_PATH|LC_\w+|MPVISOR_OWNER_RUN_DIR)=/;
    for (const pid of mpv) expect(environOf(pid).filter((e) => !allowed.test(e))).toEqual([]);
    // What tells our processes from others', orphans included: the owning run directory, no secret.
    for (const pid of [...workers, ...mpv]) expect(environOf(pid)).toContain(`MPVISOR_OWNER_RUN_DIR=${rig.sup.runDir}`);
  }, 20_000);
});

// Before a worker's own hello, only the token tells it from an impostor: a fixture worker that never
// says hello holds that window open.
describe('ZoneRunner and SparePool: attach needs the pid and the token of the spawn, once', () => {
  const dir = tempDir('mpvwa');
  const entry = join(dir.path, 'silent-worker.mjs');
  const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child: () => quiet } as unknown as Logger;
  const link = { send: () => true, close: () => {}, closed: new Promise<void>(() => {}) };
  const zone = parseConfigText('[global]\nmedia_base_path = /tmp\n[audio:fx]\ntopic = t/fx\nmedia_dir = .\n').config!
    .zones[0]!;
  const base = {
    socketPath: join(dir.path, 'none.sock'),
    mpvPath: 'mpv',
    runDir: dir.path,
    stateDir: dir.path,
    logLevel: 'error',
    heartbeatIntervalMs: 1000,
    audioFallback: 'null' as const,
  };

  // Reads its bootstrap line like a worker, hands the token to the test through a file, never says hello.
  beforeAll(() =>
    writeFileSync(
      entry,
      [
        "import fs from 'node:fs';",
        "let text = '';",
        "process.stdin.on('data', (c) => { text += c; const nl = text.indexOf('\\n'); if (nl >= 0 && !fs.existsSync(out)) fs.writeFileSync(out, JSON.parse(text.slice(0, nl)).token); });",
        `const out = ${JSON.stringify(dir.path)} + '/token-' + process.pid;`,
        "process.stdin.on('end', () => process.exit(0));",
      ].join('\n') + '\n',
    ),
  );

  /** The token this very spawn was handed, as only the worker itself knows it. */
  const tokenOf = (pid: number): string | undefined => {
    try {
      return readFileSync(join(dir.path, `token-${pid}`), 'utf8');
    } catch {
      return undefined;
    }
  };
  const expectNotInEnvironment = (pid: number, token: string): void => {
    const env = environOf(pid);
    expect(env.length).toBeGreaterThan(0);
    expect(env.some((e) => e.includes(token))).toBe(false);
  };
  afterAll(() => dir.remove());

  it('a zone worker', async () => {
    const hooks = { stateChanged() {}, lifecycle() {}, mediaEvent() {}, warning() {} };
    const runner = new ZoneRunner({
      zone,
      bootstrap: { ...base, zone },
      clock: systemClock,
      log: quiet,
      hooks,
      workerEntry: entry,
    });
    runner.start();
    const pid = runner.pid!;
    const token = await waitFor(() => tokenOf(pid), 5000, 'the worker to be running');
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expectNotInEnvironment(pid, token);
    expect(runner.attach(link, pid, '')).toBeNull();
    expect(runner.attach(link, pid, randomBytes(16).toString('hex'))).toBeNull();
    expect(runner.attach(link, pid, token.slice(0, -1))).toBeNull();
    expect(runner.attach(link, pid + 1, token)).toBeNull();
    expect(runner.attach(link, pid, token)).toEqual(expect.any(Function));
    expect(runner.attach(link, pid, token)).toBeNull();
    expect(await runner.stop('test')).toBe(true);
  }, 15_000);

  it('a warm spare', async () => {
    const pool = new SparePool({
      count: 1,
      kinds: [{ key: 'audio', label: 'audio', profile: { audioArgs: [], video: null }, env: {}, zones: ['z'] }],
      bootstrap: { ...base, zone: null },
      clock: systemClock,
      log: quiet,
      workerEntry: entry,
      startupTimeoutMs: 10_000,
      heartbeatTimeoutMs: 10_000,
      stopTimeoutMs: 2000,
      replenishDelayMs: 0,
    });
    pool.start();
    const pid = await waitFor(() => pool.pids[0], 5000, 'a spare to be spawned');
    const token = await waitFor(() => tokenOf(pid), 5000, 'the spare to be running');
    expectNotInEnvironment(pid, token);
    expect(pool.attach(link, pid, randomBytes(16).toString('hex'))).toBeNull();
    expect(pool.attach(link, pid, token)).toEqual(expect.any(Function));
    expect(pool.attach(link, pid, token)).toBeNull();
    expect(await pool.stop('test')).toBe(true);
  }, 15_000);
});
