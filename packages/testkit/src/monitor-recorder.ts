import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { pactlJson } from './pulse.js';

const run = promisify(execFile);

/** One analysis window of a sink's monitor. */
export interface MonitorChunk {
  /** Date.now() when the window's last sample arrived. */
  at: number;
  /** RMS of everything in the window (0..1). */
  rms: number;
  /** Band-limited RMS at each watched frequency (Hann-windowed Goertzel), keyed by frequency in Hz. */
  tones: Record<number, number>;
}

export interface MonitorRecorder {
  readonly sink: string;
  readonly chunks: readonly MonitorChunk[];
  /** Chunks whose window ended at or after `t` (Date.now() ms). */
  since(t: number): MonitorChunk[];
  /** The first chunk at or after `since` for which `test` holds; rejects after timeoutMs. */
  waitFor(test: (c: MonitorChunk) => boolean, timeoutMs: number, since?: number): Promise<MonitorChunk>;
  /**
   * The sink is gone and its monitor must not be captured again before reattach(): a fresh null sink
   * that a capture reaches before a stream does holds the stream back ~2 s (see the unload scenario),
   * and both the restart on exit and the pin to the monitor would get there first.
   */
  detach(): Promise<void>;
  /** After the sink came back: record its new monitor (a new parec, once the monitor exists; rejects after timeoutMs). */
  reattach(timeoutMs?: number): Promise<void>;
  /** Resolves once parec delivers samples (the first capture of a sink takes 1-2 s to start). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface MonitorRecorderOptions {
  /** Environment pointing parec at the server (PULSE_SERVER...). */
  env: NodeJS.ProcessEnv;
  sink: string;
  /** Frequencies (Hz) whose band-limited RMS each chunk carries. */
  tones: number[];
  /** Analysis window. Default 50 ms: 20 Hz bins, so tones 100 Hz apart do not leak into each other. */
  windowMs?: number;
  rate?: number;
}

/** Amplitude-calibrated Goertzel: a sine of amplitude A at `freq` gives A / sqrt(2), like its RMS. */
function toneRms(samples: Float64Array, hann: Float64Array, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! * hann[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // The Hann window halves a sine's coherent gain: sum(hann) = N/2.
  const gain = hann.reduce((a, b) => a + b, 0);
  return (2 * Math.sqrt(Math.max(0, power))) / gain / Math.SQRT2;
}

/**
 * One long-running `parec` on a sink's monitor, analysed as it arrives: per window the total RMS and
 * the band-limited RMS at each watched tone, stamped with its arrival time. A fresh capture per check
 * cannot time an event (the first capture of a sink takes 1-2 s to start); this times a gap to about
 * one window. For tests and benchmarks.
 */
export function startMonitorRecorder(opts: MonitorRecorderOptions): MonitorRecorder {
  const rate = opts.rate ?? 8000;
  const size = Math.round((rate * (opts.windowMs ?? 50)) / 1000);
  const hann = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
  const chunks: MonitorChunk[] = [];
  const window = new Float64Array(size);
  const env = { ...opts.env, PULSE_LATENCY_MSEC: '10' };
  let filled = 0;
  let odd: Buffer | null = null;
  let stopped = false;
  let detached = false;
  let stderr = '';
  let child!: ChildProcess;
  let exited!: Promise<void>;
  const onData = (data: Buffer) => {
    const at = Date.now();
    const buf = odd ? Buffer.concat([odd, data]) : data;
    const whole = buf.length - (buf.length % 2);
    odd = whole < buf.length ? buf.subarray(whole) : null;
    for (let i = 0; i < whole; i += 2) {
      window[filled++] = buf.readInt16LE(i) / 32768;
      if (filled < size) continue;
      let sum = 0;
      for (const v of window) sum += v * v;
      const tones: Record<number, number> = {};
      for (const f of opts.tones) tones[f] = toneRms(window, hann, f, rate);
      chunks.push({ at, rms: Math.sqrt(sum / size), tones });
      filled = 0;
    }
  };
  // A capture opened before its monitor exists lands on another source (PipeWire): wait for the monitor.
  const monitorPresent = () =>
    run('pactl', ['list', 'short', 'sources'], { env, timeout: 5000 }).then(
      ({ stdout }) => stdout.split('\n').some((l) => l.split('\t')[1] === `${opts.sink}.monitor`),
      () => false,
    );
  // A capture that sits on the server's default source follows it when the default sink changes (a
  // new server's first sink is the default; a test then picks another): put it back on its monitor.
  // PipeWire accepts that move and does nothing (the capture's target.object already names the sink,
  // so WirePlumber sees no change and keeps the link to the new default); a capture still astray at the
  // next look is started afresh, which WirePlumber links to the monitor it asks for. This was one of
  // the two causes of zone a "not heard" on PipeWire after a server restart: its recorder heard room_b.
  let astray = false;
  const keepOnMonitor = async (pid: number) => {
    const [outputs, sources] = await Promise.all([
      pactlJson(env, 'source-outputs'),
      run('pactl', ['list', 'short', 'sources'], { env, timeout: 5000 }),
    ]).catch(() => [null, null]);
    if (!outputs || !sources) return;
    const own = outputs.find(
      (o) =>
        typeof o.properties === 'object' &&
        o.properties !== null &&
        'application.process.id' in o.properties &&
        o.properties['application.process.id'] === String(pid),
    );
    const monitor = sources.stdout
      .split('\n')
      .find((l) => l.split('\t')[1] === `${opts.sink}.monitor`)
      ?.split('\t')[0];
    const wrong = own !== undefined && monitor !== undefined && String(own.source) !== monitor;
    if (wrong && astray && child.pid === pid) child.kill('SIGTERM');
    else if (wrong)
      await run('pactl', ['move-source-output', String(own.index), `${opts.sink}.monitor`], {
        env,
        timeout: 5000,
      }).catch(() => undefined);
    astray = wrong;
  };
  const pin = setInterval(() => {
    if (!detached && child.pid !== undefined && child.exitCode === null) void keepOnMonitor(child.pid);
  }, 500);
  const relaunch = async () => {
    while (!stopped && !detached && !(await monitorPresent())) await new Promise((r) => setTimeout(r, 50));
    if (!stopped && !detached) launch();
  };
  // parec ends when its server goes (or cannot connect yet): started again until stop().
  const launch = () => {
    astray = false;
    filled = 0;
    odd = null;
    child = spawn(
      'parec',
      [
        `--device=${opts.sink}.monitor`,
        '--format=s16le',
        `--rate=${rate}`,
        '--channels=1',
        '--latency-msec=10',
        '--raw',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout!.on('data', onData);
    exited = new Promise<void>((r) => child.once('exit', () => r()));
    void exited.then(() => {
      if (!stopped && !detached) void relaunch();
    });
  };
  launch();
  const since = (t: number) => chunks.filter((c) => c.at >= t);
  const waitFor = (test: (c: MonitorChunk) => boolean, timeoutMs: number, from = 0) =>
    new Promise<MonitorChunk>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      const poll = () => {
        for (; seen < chunks.length; seen++) {
          const c = chunks[seen]!;
          if (c.at >= from && test(c)) return resolve(c);
        }
        if (Date.now() > deadline)
          return reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting on ${opts.sink}.monitor (parec: ${stderr.trim().split('\n').pop() ?? ''})`,
            ),
          );
        setTimeout(poll, 10);
      };
      poll();
    });
  return {
    sink: opts.sink,
    chunks,
    since,
    waitFor,
    ready: async (timeoutMs = 5000) => void (await waitFor(() => true, timeoutMs)),
    detach: async () => {
      detached = true;
      child.kill('SIGTERM');
      await exited;
    },
    reattach: async (timeoutMs = 20_000) => {
      if (detached) {
        detached = false;
        launch();
        return;
      }
      // A new capture on the new monitor (moving the old one back proved unreliable on a loaded PipeWire);
      // its start-up time is part of any gap timed across it.
      const old = exited;
      child.kill('SIGTERM');
      await old;
      // Bounded: a server that died meanwhile has no monitor to capture, and the caller must hear of it.
      const deadline = Date.now() + timeoutMs;
      while (!stopped && exited === old) {
        if (Date.now() > deadline) throw new Error(`no capture of ${opts.sink}.monitor within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: async () => {
      stopped = true;
      clearInterval(pin);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
