// SparePool in fake time with fake worker processes: boot after the replenish pause, replacement with
// backoff after failed boots, giving up, the startup timeout, taking (ready and linked only, eligible
// zones only) and the adoption race with a dying spare.
import { describe, expect, it } from '@jest/globals';
import { parseConfigText, type ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { SpareBootstrap } from '../src/zones/bootstrap.js';
import type { WorkerLink } from '../src/zones/runner-context.js';
import { SparePool } from '../src/zones/spare-pool.js';
import type { WorkerExit, WorkerProcess } from '../src/zones/worker-process.js';
import { FakeClock } from './fake-clock.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as unknown as Logger;

const bootstrap: SpareBootstrap = {
  socketPath: '/nonexistent/worker.sock',
  mpvPath: 'mpv',
  runDir: '/nonexistent',
  stateDir: '/nonexistent',
  logLevel: 'error',
  heartbeatIntervalMs: 1000,
  audioFallback: 'null',
  zone: null,
  spare: { effects: 2 },
};

function zones(): { audio: ZoneConfig; screen: ZoneConfig } {
  const { config, problems } = parseConfigText('[audio:lobby]\n[screen:hall]\n', { env: {} });
  if (!config) throw new Error(JSON.stringify(problems));
  return {
    audio: config.zones.find((z) => z.kind === 'audio')!,
    screen: config.zones.find((z) => z.kind === 'screen')!,
  };
}

interface FakeWorker {
  process: WorkerProcess;
  exit(exit?: WorkerExit): Promise<void>;
  kills: NodeJS.Signals[];
}

const link = (): WorkerLink => ({ send: () => true, close() {}, closed: new Promise(() => {}) });
const settle = () => new Promise((r) => setImmediate(r));

function harness(count = 1, opts: { maxFailures?: number } = {}) {
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  let spawned = 0;
  const pool = new SparePool({
    count,
    bootstrap,
    clock,
    log: quiet,
    startupTimeoutMs: 5000,
    stopTimeoutMs: 1000,
    replenishDelayMs: 400,
    ...opts,
    spawnWorker: () => {
      let resolveExit!: (e: WorkerExit) => void;
      const exited = new Promise<WorkerExit>((r) => (resolveExit = r));
      const kills: NodeJS.Signals[] = [];
      // No child process exists: the pool reads pid, token, exited and killGroup only. The pid is this
      // test's own, a live process, because take() asks /proc whether a spare's processes still run.
      const n = ++spawned;
      const process = {
        pid: globalThis.process.pid,
        token: `t${n}`,
        child: null,
        exited,
        killGroup: (s: NodeJS.Signals) => void kills.push(s),
      } as unknown as WorkerProcess;
      workers.push({ process, kills, exit: async (e = { code: 1, signal: null }) => (resolveExit(e), settle()) });
      return process;
    },
  });
  /** A spawned spare says hello and reports ready. */
  const ready = (w: FakeWorker) => {
    const onMessage = pool.attach(link(), w.process.pid, w.process.token);
    if (!onMessage) throw new Error('hello refused');
    onMessage({ type: 'ready', mpv: [] } as never);
  };
  return { clock, pool, workers, ready };
}

describe('SparePool in fake time', () => {
  it('boots its spares only after the replenish pause', () => {
    const h = harness(2);
    h.pool.start();
    expect(h.workers).toHaveLength(0);
    h.clock.advance(399);
    expect(h.workers).toHaveLength(0);
    h.clock.advance(1);
    expect(h.workers).toHaveLength(2);
  });

  it('replaces a spare that dies before ready with backoff, and gives up after maxFailures', async () => {
    const h = harness(1, { maxFailures: 3 });
    h.pool.start();
    h.clock.advance(400);
    const delays: (number | null)[] = [];
    for (let i = 0; i < 3; i++) {
      await h.workers.at(-1)!.exit();
      delays.push(h.clock.nextDelay());
      h.clock.advance(h.clock.nextDelay() ?? 0);
    }
    // 400 x 2^failures: 800 after the first failed boot, 1600 after the second; the third gives up.
    expect(delays.slice(0, 2)).toEqual([800, 1600]);
    expect(h.workers).toHaveLength(3);
    h.clock.advance(60_000);
    expect(h.workers).toHaveLength(3);
    expect(h.pool.snapshot()).toEqual([]);
  });

  it('a ready spare resets the failure count', async () => {
    const h = harness(1, { maxFailures: 2 });
    h.pool.start();
    h.clock.advance(400);
    await h.workers[0]!.exit();
    h.clock.advance(800);
    h.ready(h.workers[1]!);
    await h.workers[1]!.exit();
    // One failure before, reset by ready: the replacement comes after the plain pause, not given up.
    expect(h.clock.nextDelay()).toBe(400);
  });

  it('kills a spare that is not ready within the startup timeout', () => {
    const h = harness(1);
    h.pool.start();
    h.clock.advance(400);
    h.clock.advance(4999);
    expect(h.workers[0]!.kills).toEqual([]);
    h.clock.advance(1);
    expect(h.workers[0]!.kills).toEqual(['SIGKILL']);
  });

  it('hands out only a ready, linked spare, to an eligible zone, and boots a replacement', () => {
    const { audio, screen } = zones();
    const h = harness(1);
    h.pool.start();
    h.clock.advance(400);
    expect(h.pool.take(audio)).toBeNull();
    h.ready(h.workers[0]!);
    expect(h.pool.take(screen)).toBeNull();
    const taken = h.pool.take(audio);
    expect(taken?.worker.pid).toBe(h.workers[0]!.process.pid);
    expect(h.pool.take(audio)).toBeNull();
    h.clock.advance(400);
    expect(h.workers).toHaveLength(2);
  });

  it("an adopted spare that dies is its zone's business: no failure, no extra replacement", async () => {
    const { audio } = zones();
    const h = harness(1, { maxFailures: 1 });
    h.pool.start();
    h.clock.advance(400);
    h.ready(h.workers[0]!);
    expect(h.pool.take(audio)).not.toBeNull();
    await h.workers[0]!.exit({ code: null, signal: 'SIGKILL' });
    h.clock.advance(400);
    expect(h.workers).toHaveLength(2);
    h.ready(h.workers[1]!);
    expect(h.pool.snapshot().map((s) => s.state)).toEqual(['ready']);
  });

  it('refuses a hello with the wrong token, and boots nothing after freeze', () => {
    const h = harness(1);
    h.pool.start();
    h.clock.advance(400);
    expect(h.pool.attach(link(), h.workers[0]!.process.pid, 'wrong')).toBeNull();
    h.pool.freeze();
    h.clock.advance(60_000);
    expect(h.workers).toHaveLength(1);
  });
});
