// SparePool in fake time with fake worker processes: boot after the replenish pause, replacement with
// backoff after failed boots, giving up, the startup timeout, taking (ready and linked only, a zone of
// the spare's kind only), the heartbeat watch of idle spares and the adoption race with a dying spare.
import { describe, expect, it } from '@jest/globals';
import { parseConfigText, type ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { SpareBootstrap } from '../src/zones/bootstrap.js';
import type { WorkerLink } from '../src/zones/runner-context.js';
import { spareKinds } from '../src/zones/spare-kinds.js';
import { SparePool } from '../src/zones/spare-pool.js';
import type { WorkerExit, WorkerProcess } from '../src/zones/worker-process.js';
import { FakeClock } from './fake-clock.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as unknown as Logger;

const bootstrap: Omit<SpareBootstrap, 'spare'> = {
  socketPath: '/nonexistent/worker.sock',
  mpvPath: 'mpv',
  runDir: '/nonexistent',
  stateDir: '/nonexistent',
  logLevel: 'error',
  heartbeatIntervalMs: 1000,
  audioFallback: 'null',
  zone: null,
};

function zones(): { audio: ZoneConfig; screen: ZoneConfig; tuned: ZoneConfig; all: ZoneConfig[] } {
  const { config, problems } = parseConfigText(
    '[audio:lobby]\n[screen:hall]\n[audio:vault]\nmpv_audio_options = --audio-buffer=0.1\n',
    { env: {} },
  );
  if (!config) throw new Error(JSON.stringify(problems));
  const byName = (n: string) => config.zones.find((z) => z.name === n)!;
  return { audio: byName('lobby'), screen: byName('hall'), tuned: byName('vault'), all: config.zones };
}

interface FakeWorker {
  process: WorkerProcess;
  exit(exit?: WorkerExit): Promise<void>;
  kills: NodeJS.Signals[];
}

const link = (): WorkerLink => ({ send: () => true, close() {}, closed: new Promise(() => {}) });
const settle = () => new Promise((r) => setImmediate(r));

function harness(count = 1, opts: { maxFailures?: number; zones?: ZoneConfig[] } = {}) {
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  const boots: SpareBootstrap[] = [];
  let spawned = 0;
  const { zones: kindsOf, ...rest } = opts;
  const pool = new SparePool({
    count,
    kinds: spareKinds(kindsOf ?? [zones().audio]).kinds,
    bootstrap,
    clock,
    log: quiet,
    startupTimeoutMs: 5000,
    heartbeatTimeoutMs: 3000,
    stopTimeoutMs: 1000,
    replenishDelayMs: 400,
    ...rest,
    spawnWorker: (o) => {
      if (o.bootstrap.zone === null) boots.push(o.bootstrap);
      let resolveExit!: (e: WorkerExit) => void;
      const exited = new Promise<WorkerExit>((r) => (resolveExit = r));
      const kills: NodeJS.Signals[] = [];
      // No child process exists: the pool reads pid, token, exited and killGroup only. The pid is this
      // test's own, a live process, because take() asks /proc whether a spare's processes still run.
      const n = ++spawned;
      const process = {
        pid: globalThis.process.pid,
        token: `t${n}`,
        child: { stdin: { end() {} } },
        exited,
        killGroup: (s: NodeJS.Signals) => void kills.push(s),
      } as unknown as WorkerProcess;
      workers.push({ process, kills, exit: async (e = { code: 1, signal: null }) => (resolveExit(e), settle()) });
      return process;
    },
  });
  /** What the pool sent each spare, by token. */
  const sent = new Map<string, string[]>();
  /** A spawned spare says hello and reports ready; returns its message handler, for heartbeats. */
  const ready = (w: FakeWorker) => {
    const types: string[] = [];
    sent.set(w.process.token, types);
    const spy: WorkerLink = { ...link(), send: (m) => (types.push(m.type), true) };
    const onMessage = pool.attach(spy, w.process.pid, w.process.token);
    if (!onMessage) throw new Error('hello refused');
    onMessage({ type: 'ready', mpv: [] });
    return (healthy = true) =>
      onMessage({ type: 'heartbeat', seq: 0, mpv: [], healthy, problems: healthy ? [] : ['mpv speech not answering'] });
  };
  return { clock, pool, workers, boots, ready, sent };
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

  it('hands out only a ready, linked spare, to a zone of its kind, and boots a replacement', () => {
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

  it('keeps one kind of spare per distinct mpv option set, each started with its profile, each handed to its zones only', () => {
    const z = zones();
    const h = harness(1, { zones: z.all });
    h.pool.start();
    h.clock.advance(400);
    expect(h.boots.map((b) => b.spare.video !== null)).toEqual([false, true, false]);
    expect(h.boots[1]!.spare.video?.args).toContain('--force-window=yes');
    expect(h.boots[2]!.spare.audioArgs).toEqual(['--audio-buffer=0.1']);
    for (const w of h.workers) h.ready(w);
    const [plain, screen, tuned] = h.workers.map((w) => w.process.token);
    // The pool's processes are all this test's pid: the token tells which spare a zone got.
    const tokenOf = (zone: ZoneConfig) => h.pool.take(zone)?.worker.token ?? null;
    expect(tokenOf(z.tuned)).toBe(tuned);
    expect(tokenOf(z.tuned)).toBeNull();
    expect(tokenOf(z.screen)).toBe(screen);
    expect(tokenOf(z.audio)).toBe(plain);
    expect(h.pool.snapshot()).toEqual([]);
    h.clock.advance(400);
    expect(h.workers).toHaveLength(6);
  });

  it('a kind that keeps failing to boot is given up alone: the other kinds stay warm', async () => {
    const z = zones();
    const h = harness(1, { zones: [z.audio, z.screen], maxFailures: 1 });
    h.pool.start();
    h.clock.advance(400);
    h.ready(h.workers[0]!);
    await h.workers[1]!.exit();
    h.clock.advance(2000);
    expect(h.workers).toHaveLength(2);
    expect(h.pool.snapshot().map((s) => s.kind)).toEqual(['audio']);
    expect(h.pool.take(z.screen)).toBeNull();
    expect(h.pool.take(z.audio)).not.toBeNull();
  });

  it('a ready spare that sends no heartbeat for heartbeatTimeoutMs is killed, never handed out, and replaced', async () => {
    const { audio } = zones();
    const h = harness(1);
    h.pool.start();
    h.clock.advance(400);
    h.ready(h.workers[0]!);
    h.clock.advance(2999);
    expect(h.workers[0]!.kills).toEqual([]);
    h.clock.advance(1);
    expect(h.workers[0]!.kills).toEqual(['SIGKILL']);
    // Killed but not yet exited: still not handed out.
    expect(h.pool.take(audio)).toBeNull();
    await h.workers[0]!.exit({ code: null, signal: 'SIGKILL' });
    h.clock.advance(400);
    expect(h.workers).toHaveLength(2);
  });

  it('heartbeats keep a spare; one reporting an mpv not answering is held back until it is healthy again', () => {
    const { audio } = zones();
    const h = harness(1);
    h.pool.start();
    h.clock.advance(400);
    const beat = h.ready(h.workers[0]!);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(2500);
      beat();
    }
    expect(h.workers[0]!.kills).toEqual([]);
    beat(false);
    expect(h.pool.take(audio)).toBeNull();
    h.clock.advance(1000);
    beat(true);
    expect(h.pool.take(audio)?.worker.token).toBe(h.workers[0]!.process.token);
    // Adopted: the pool's watch is over (the zone's session watches it now).
    h.clock.advance(60_000);
    expect(h.workers[0]!.kills).toEqual([]);
  });
});

describe('SparePool after a reload', () => {
  it('stops the spares of a kind no zone needs any more, boots a new kind, keeps a kept kind', async () => {
    const z = zones();
    const h = harness(1, { zones: [z.audio, z.screen] });
    h.pool.start();
    h.clock.advance(400);
    for (const w of h.workers) h.ready(w);
    h.pool.setZones([z.audio, z.tuned]);
    expect(h.sent.get('t2')).toEqual(['shutdown']);
    expect(h.pool.take(z.screen)).toBeNull();
    h.clock.advance(400);
    expect(h.workers).toHaveLength(3);
    expect(h.boots[2]!.spare.audioArgs).toEqual(['--audio-buffer=0.1']);
    // The stopped spare's exit brings no replacement.
    await h.workers[1]!.exit({ code: 0, signal: null });
    h.clock.advance(2000);
    expect(h.workers).toHaveLength(3);
    expect(h.pool.snapshot().map((x) => [x.kind, x.zones])).toEqual([
      ['audio', ['lobby']],
      ['audio-2', ['vault']],
    ]);
    expect(h.pool.take(z.audio)?.worker.token).toBe('t1');
  });
});

describe('spareKinds', () => {
  const parse = (text: string) => {
    const { config, problems } = parseConfigText(text, { env: {} });
    if (!config) throw new Error(JSON.stringify(problems));
    return config.zones;
  };

  it('groups zones by the options their mpv get, whatever their effects pools', () => {
    const { kinds, uncovered } = spareKinds(
      parse(
        '[audio:a]\neffects_pool_size = 1\n[audio:b]\neffects_pool_size = 3\n[audio:c]\neffects_pool_size = 3\n' +
          '[screen:s1]\ndisplay = :5\n[screen:s2]\ndisplay = :6\n[audio:x]\naudio_device = alsa/hw:0\n',
      ),
    );
    expect(kinds.map((k) => [k.label, k.zones])).toEqual([
      ['audio', ['a', 'b', 'c']],
      ['screen', ['s1']],
      ['screen-2', ['s2']],
    ]);
    expect(kinds[1]!.profile.video?.display).toBe(':5');
    expect(uncovered).toEqual([{ zone: 'x', reason: 'audio_device alsa/hw:0 is not a PulseAudio device' }]);
  });

  it("isolated zones (the default on a pulse device) get spares of their own, whose mpv ask the isolated zones' stream latency", () => {
    const { kinds } = spareKinds(
      parse(
        '[audio:a]\naudio_device = pulse/room_a\n[audio:b]\naudio_device = pulse/room_b\n' +
          '[audio:g]\naudio_device = pulse/room_c\nisolate_output = false\n[audio:d]\n',
      ),
    );
    expect(kinds.map((k) => [k.zones, k.env])).toEqual([
      [['a', 'b'], { PULSE_LATENCY_MSEC: '60' }],
      [['g', 'd'], {}],
    ]);
  });

  it("a spare is booted with its kind's environment over the shared one", () => {
    const z = parse('[audio:a]\naudio_device = pulse/room_a\n');
    const h = harness(1, { zones: z });
    h.pool.start();
    h.clock.advance(400);
    expect(h.boots[0]!.mpvEnv).toMatchObject({ PULSE_LATENCY_MSEC: '60' });
  });

  it('keeps at most MAX_SPARE_KINDS kinds, the most shared first; the zones of the others cold-start', () => {
    const options = ['--audio-buffer=0.1', '--audio-buffer=0.2', '--audio-buffer=0.3', '--audio-buffer=0.4'];
    const text =
      options.map((o, i) => `[audio:z${i}]\nmpv_audio_options = ${o}\n`).join('') +
      '[audio:z9]\nmpv_audio_options = --audio-buffer=0.4\n';
    const { kinds, uncovered } = spareKinds(parse(text));
    expect(kinds.map((k) => k.zones)).toEqual([['z3', 'z9'], ['z0'], ['z1']]);
    expect(uncovered.map((u) => u.zone)).toEqual(['z2']);
    expect(uncovered[0]!.reason).toMatch(/more than 3 distinct mpv option sets/);
  });
});
