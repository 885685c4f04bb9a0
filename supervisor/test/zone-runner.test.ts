// ZoneRunner in fake time with fake worker processes: start to ready, crash storms through the
// restart policy to failed, the startup and heartbeat watchdogs, a restart command's clean slate, a
// crash handed to a ready warm spare instead of a cold spawn, a reset's hand-over to a spare, and a
// stop during a reset.
import { describe, expect, it } from '@jest/globals';
import { parseConfigText, type ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { WorkerToSupervisor } from '@mpvisor/protocol';
import type { WorkerBootstrap } from '../src/zones/bootstrap.js';
import type { WorkerLink } from '../src/zones/runner-context.js';
import type { SpareSource, SpareWorker } from '../src/zones/spare-pool.js';
import type { WorkerExit, WorkerProcess } from '../src/zones/worker-process.js';
import { ZoneRunner } from '../src/zones/zone-runner.js';
import { FakeClock } from './fake-clock.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as unknown as Logger;
const settle = () => new Promise((r) => setImmediate(r));

function zone(): ZoneConfig {
  const keys = [
    'restart_backoff_initial_ms = 100',
    'restart_backoff_max_ms = 1000',
    'restart_jitter = 0',
    'max_restarts = 3',
    'restart_window_ms = 60000',
    'startup_timeout_ms = 5000',
    'heartbeat_timeout_ms = 3000',
  ];
  const { config, problems } = parseConfigText(['[system:main]', ...keys, '[audio:lobby]'].join('\n'), { env: {} });
  if (!config) throw new Error(JSON.stringify(problems));
  return config.zones[0]!;
}

interface FakeWorker {
  process: WorkerProcess;
  kills: NodeJS.Signals[];
  exit(exit?: WorkerExit): Promise<void>;
}

function fakeWorker(pid: number): FakeWorker {
  let resolveExit!: (e: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((r) => (resolveExit = r));
  const kills: NodeJS.Signals[] = [];
  const w: FakeWorker = {
    // No child process exists: the runner reads pid, token, exited, killGroup and (halting) child.stdin only.
    process: {
      pid,
      token: `t${pid}`,
      child: { stdin: null },
      exited,
      killGroup: (s: NodeJS.Signals) => void kills.push(s),
    } as unknown as WorkerProcess,
    kills,
    exit: async (e = { code: 1, signal: null }) => (resolveExit(e), settle()),
  };
  // A SIGKILL of the group ends the fake worker as it would the real one.
  w.process.killGroup = (s) => {
    kills.push(s);
    if (s === 'SIGKILL') resolveExit({ code: null, signal: 'SIGKILL' });
  };
  return w;
}

const link = (sent: unknown[] = []): WorkerLink => ({
  send: (m) => (sent.push(m), true),
  close() {},
  closed: new Promise(() => {}),
});

function harness(opts: { spares?: SpareSource } = {}) {
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  const events: string[] = [];
  let nextPid = 50_000;
  const z = zone();
  const bootstrap = { zone: z } as unknown as WorkerBootstrap;
  const runner = new ZoneRunner({
    zone: z,
    bootstrap,
    clock,
    log: quiet,
    hooks: { stateChanged() {}, lifecycle: (_z, e) => void events.push(e), mediaEvent() {}, warning() {} },
    ...(opts.spares ? { spares: opts.spares } : {}),
    spawnWorker: () => {
      const w = fakeWorker(++nextPid);
      workers.push(w);
      return w.process;
    },
  });
  /** The newest worker says hello and ready. */
  const ready = (w = workers.at(-1)!): ((m: WorkerToSupervisor) => void) => {
    const onMessage = runner.attach(link(), w.process.pid, w.process.token);
    if (!onMessage) throw new Error('hello refused');
    onMessage({ type: 'ready', mpv: [] });
    return onMessage;
  };
  const runPending = () => clock.advance(clock.nextDelay() ?? 0);
  return { clock, runner, workers, events, ready, runPending };
}

describe('ZoneRunner in fake time', () => {
  it('starts, becomes ready on the worker\u2019s ready, and refuses a hello with the wrong token', () => {
    const h = harness();
    h.runner.start();
    expect(h.runner.state).toBe('starting');
    expect(h.runner.attach(link(), h.workers[0]!.process.pid, 'nope')).toBeNull();
    h.ready();
    expect(h.runner.state).toBe('ready');
    expect(h.events).toEqual(['started']);
  });

  it('a crash storm backs off between cold spawns and ends failed after max_restarts', async () => {
    const h = harness();
    h.runner.start();
    h.ready();
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = h.clock.now();
      await h.workers.at(-1)!.exit();
      if (h.runner.state === 'failed') break;
      h.runPending();
      gaps.push(h.clock.now() - before);
      h.ready();
    }
    expect(gaps).toEqual([0, 100, 200]);
    expect(h.workers).toHaveLength(4);
    expect(h.runner.state).toBe('failed');
    expect(h.events.filter((e) => e === 'restarted')).toHaveLength(3);
    h.clock.advance(60_000);
    expect(h.workers).toHaveLength(4);
  });

  it('kills a worker that is not ready within startup_timeout_ms, then restarts it', async () => {
    const h = harness();
    h.runner.start();
    h.clock.advance(4999);
    expect(h.workers[0]!.kills).toEqual([]);
    h.clock.advance(1);
    expect(h.workers[0]!.kills).toEqual(['SIGKILL']);
    await settle();
    h.runPending();
    expect(h.workers).toHaveLength(2);
  });

  it('kills a ready worker whose heartbeats stop', async () => {
    const h = harness();
    h.runner.start();
    const onMessage = h.ready();
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1000);
      onMessage({ type: 'heartbeat', healthy: true, mpv: [] });
    }
    expect(h.workers[0]!.kills).toEqual([]);
    h.clock.advance(3000);
    expect(h.workers[0]!.kills).toEqual(['SIGKILL']);
    await settle();
    expect(h.events).toContain('crashed');
  });

  it('a restart command after failed gives a clean slate', async () => {
    const h = harness();
    h.runner.start();
    for (let i = 0; i < 4; i++) {
      h.ready();
      await h.workers.at(-1)!.exit();
      h.runPending();
    }
    expect(h.runner.state).toBe('failed');
    await h.runner.restart('operator');
    expect(h.runner.state).toBe('restarting');
    expect(h.workers).toHaveLength(5);
    h.ready();
    expect(h.runner.state).toBe('ready');
    await h.workers.at(-1)!.exit();
    // Clean slate: the first crash after it restarts at once again.
    expect(h.clock.nextDelay()).toBe(0);
  });

  it('a crash is handed to a ready warm spare instead of a cold spawn', async () => {
    const spare = fakeWorker(60_001);
    const sent: unknown[] = [];
    let routed: ((m: WorkerToSupervisor) => void) | null = null;
    let available = true;
    const spares: SpareSource = {
      take: (): SpareWorker | null => {
        if (!available) return null;
        available = false;
        return { worker: spare.process, link: link(sent), route: (fn) => (routed = fn) };
      },
    };
    const h = harness({ spares });
    h.runner.start();
    h.ready();
    await h.workers[0]!.exit();
    // Adopted at once: no timer, no new spawn, the spare told its zone.
    expect(h.workers).toHaveLength(1);
    expect(h.runner.pid).toBe(60_001);
    expect(sent).toEqual([expect.objectContaining({ type: 'adopt' })]);
    routed!({ type: 'ready', mpv: [] });
    expect(h.runner.state).toBe('ready');
    // No spare left: the next crash cold-starts after the backoff.
    await spare.exit();
    h.runPending();
    expect(h.workers).toHaveLength(2);
  });

  it('a reset hands the zone to a spare once the old mpv are silent, before the old worker has exited', async () => {
    const spare = fakeWorker(60_001);
    const sent: unknown[] = [];
    let routed: ((m: WorkerToSupervisor) => void) | null = null;
    const spares: SpareSource = {
      take: () => ({ worker: spare.process, link: link(sent), route: (fn) => (routed = fn) }),
    };
    const h = harness({ spares });
    h.runner.start();
    const fromOld = h.ready();
    let silence!: () => void;
    const resume = { background: { file: '/m/a.wav', status: 'playing' as const, loop: true, position_s: 3 } };
    const done = h.runner.handOver({ graceful: true, boundMs: 300 }, resume, () => new Promise((r) => (silence = r)));
    await settle();
    // Halting, but the old worker's mpv still sound: the spare only preloads the music, paused.
    expect(sent).toEqual([expect.objectContaining({ type: 'preload', resume })]);
    expect(h.runner.pid).toBe(h.workers[0]!.process.pid);
    silence();
    await settle();
    expect(sent).toEqual([
      expect.objectContaining({ type: 'preload', resume }),
      expect.objectContaining({ type: 'adopt', resume }),
    ]);
    expect(h.runner.pid).toBe(60_001);
    // The old worker's exit afterwards is the end of a halt, not a crash of the zone.
    await h.workers[0]!.exit({ code: 0, signal: null });
    await expect(done).resolves.toBe(true);
    expect(h.events).not.toContain('crashed');
    routed!({ type: 'ready', mpv: [] });
    expect(h.runner.state).toBe('ready');
    expect(h.workers).toHaveLength(1);
    // A last report of the old worker, still exiting, is not the zone's any more.
    fromOld({ type: 'heartbeat', seq: 9, healthy: false, problems: ['mpv background not answering'], mpv: [] });
    expect(h.runner.state).toBe('ready');
  });

  it("a reset's spare starts as soon as the old worker reports its mpv silenced, before they are gone; the old group is killed then", async () => {
    const spare = fakeWorker(60_001);
    const sent: unknown[] = [];
    const spares: SpareSource = {
      take: () => ({ worker: spare.process, link: link(sent), route: () => undefined }),
    };
    const h = harness({ spares });
    h.runner.start();
    const fromOld = h.ready();
    const done = h.runner.handOver({ graceful: true, boundMs: 300 }, undefined, () => new Promise(() => {}));
    await settle();
    expect(sent).toEqual([]);
    fromOld({ type: 'silenced' });
    await settle();
    expect(sent).toEqual([expect.objectContaining({ type: 'adopt' })]);
    expect(h.runner.pid).toBe(60_001);
    // Silent, so its teardown is cut short (the fake worker ends only by that SIGKILL here) instead of
    // competing with the spare for the CPU.
    expect(h.workers[0]!.kills[0]).toBe('SIGKILL');
    await expect(done).resolves.toBe(true);
    expect(h.events).not.toContain('crashed');
  });

  it('without a ready spare a hand-over does nothing (the reset halts and relaunches as before)', async () => {
    const h = harness({ spares: { take: () => null } });
    h.runner.start();
    h.ready();
    await expect(h.runner.handOver({ graceful: false }, undefined, async () => {})).resolves.toBe(false);
    expect(h.workers[0]!.kills).toEqual([]);
    expect(h.runner.state).toBe('ready');
  });
  it('a stop during a reset: the relaunch that follows starts nothing', async () => {
    const h = harness();
    h.runner.start();
    h.ready();
    await h.runner.halt({ graceful: false });
    await expect(h.runner.stop('test')).resolves.toBe(true);
    h.runner.relaunch();
    expect(h.workers).toHaveLength(1);
    expect(h.runner.state).toBe('stopped');
    h.runPending();
    expect(h.workers).toHaveLength(1);
  });

  it('a stop during a hand-over waits for it; the spare is then stopped, not adopted', async () => {
    const spare = fakeWorker(60_001);
    const sent: Array<{ type: string }> = [];
    const spares: SpareSource = {
      take: () => ({ worker: spare.process, link: link(sent), route: () => undefined }),
    };
    const h = harness({ spares });
    h.runner.start();
    const fromOld = h.ready();
    const resume = { background: { file: '/m/a.wav', status: 'playing' as const, loop: true, position_s: 3 } };
    const done = h.runner.handOver({ graceful: true, boundMs: 300 }, resume, () => new Promise(() => {}));
    await settle();
    const stopped = h.runner.stop('test');
    fromOld({ type: 'silenced' });
    await settle();
    expect(sent.map((m) => m.type)).toEqual(['preload', 'shutdown']);
    await spare.exit({ code: 0, signal: null });
    await expect(done).resolves.toBe(true);
    await expect(stopped).resolves.toBe(true);
    expect(h.runner.state).toBe('stopped');
    expect(h.runner.pid).toBeNull();
    expect(h.events).not.toContain('crashed');
  });
});
