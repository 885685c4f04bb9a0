// Real mpv 0.35 with --ao=null. Every process a test starts is stopped and reaped in afterEach,
// and afterAll checks that none of them is still alive.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MpvClosedError,
  MpvStartError,
  spawnMpv,
  type MpvEndFileEvent,
  type MpvProcess,
  type SpawnMpvOptions,
} from '../src/index.js';

const TONE_2S = 'av://lavfi:sine=frequency=440:duration=2';
const TONE_1S = 'av://lavfi:sine=frequency=440:duration=1';

const started: MpvProcess[] = [];
const allPids: number[] = [];

async function start(opts: Partial<SpawnMpvOptions> = {}): Promise<MpvProcess> {
  const mpv = await spawnMpv({ role: 'test', audioOutput: { ao: 'null' }, ...opts });
  started.push(mpv);
  allPids.push(mpv.pid);
  return mpv;
}

/** Alive means present in /proc and not a zombie (kill(pid, 0) succeeds on zombies). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * kill(SIGSTOP) returns before mpv is stopped: on a busy machine its other threads keep answering
 * IPC until the thread picked for the signal gets a CPU. Wait until every thread shows 'T'.
 */
async function stopProcess(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + 2000;
  for (;;) {
    const states = readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return stat.charAt(stat.lastIndexOf(')') + 2);
    });
    if (states.every((state) => state === 'T')) return;
    if (Date.now() > deadline) throw new Error(`pid ${pid} not stopped: ${states.join('')}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextEndFile(mpv: MpvProcess): Promise<MpvEndFileEvent> {
  return new Promise((resolve) => mpv.client.once('end-file', resolve));
}

afterEach(async () => {
  for (const mpv of started.splice(0)) {
    try {
      process.kill(mpv.pid, 'SIGCONT'); // in case a test left it stopped
    } catch {
      // already gone
    }
    await mpv.stop(1000);
  }
});

afterAll(() => {
  expect(allPids.filter(isAlive)).toEqual([]);
});

describe('spawnMpv with real mpv', () => {
  it('spawns and answers IPC well within readyTimeoutMs', async () => {
    const t0 = performance.now();
    const mpv = await start({ readyTimeoutMs: 5000 });
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(5000);
    expect(isAlive(mpv.pid)).toBe(true);
    await expect(mpv.client.getProperty('mpv-version')).resolves.toMatch(/^mpv /);
    await expect(mpv.client.getProperty('pid')).resolves.toBe(mpv.pid);
  });

  it('plays a tone: time-pos advances (getProperty twice and observeProperty)', async () => {
    const mpv = await start();
    const observed: number[] = [];
    await mpv.client.observeProperty<number>('time-pos', (v) => {
      if (typeof v === 'number') observed.push(v);
    });
    const restarted = new Promise((resolve) => mpv.client.once('playback-restart', resolve));
    await mpv.client.loadfile(TONE_2S);
    await restarted;
    const first = await mpv.client.getProperty<number>('time-pos');
    await sleep(400);
    const second = await mpv.client.getProperty<number>('time-pos');
    expect(second).toBeGreaterThan(first + 0.2);
    expect(observed.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < observed.length; i++) expect(observed[i]).toBeGreaterThanOrEqual(observed[i - 1]!);
    expect(observed[observed.length - 1]!).toBeGreaterThan(observed[0]! + 0.2);
  });

  it('pause true/false stops and resumes time-pos; volume set/get', async () => {
    const mpv = await start();
    const restarted = new Promise((resolve) => mpv.client.once('playback-restart', resolve));
    await mpv.client.loadfile(TONE_2S);
    await restarted;
    await mpv.client.setProperty('pause', true);
    await expect(mpv.client.getProperty('pause')).resolves.toBe(true);
    const pausedAt = await mpv.client.getProperty<number>('time-pos');
    await sleep(300);
    await expect(mpv.client.getProperty<number>('time-pos')).resolves.toBeCloseTo(pausedAt, 2);
    await mpv.client.setProperty('pause', false);
    await expect(mpv.client.getProperty('pause')).resolves.toBe(false);
    await sleep(300);
    expect(await mpv.client.getProperty<number>('time-pos')).toBeGreaterThan(pausedAt + 0.1);

    await mpv.client.setProperty('volume', 42);
    await expect(mpv.client.getProperty('volume')).resolves.toBe(42);
  });

  it('end-file reason eof at the true end of a 1 s tone', async () => {
    const mpv = await start();
    const ended = nextEndFile(mpv);
    const t0 = performance.now();
    const entryId = await mpv.client.loadfile(TONE_1S);
    const event = await ended;
    const elapsed = performance.now() - t0;
    expect(event.reason).toBe('eof');
    expect(event.playlist_entry_id).toBe(entryId);
    // --gapless-audio=no: not 300-400 ms early as with the default 'weak'.
    expect(elapsed).toBeGreaterThan(900);
    await expect(mpv.client.getProperty('idle-active')).resolves.toBe(true);
  });

  it('a missing file: loadfile succeeds, then end-file reason error', async () => {
    const mpv = await start();
    const ended = nextEndFile(mpv);
    await expect(mpv.client.loadfile('/nonexistent/mpvisor-test.wav')).resolves.toEqual(expect.any(Number));
    const event = await ended;
    expect(event.reason).toBe('error');
    expect(typeof event.file_error).toBe('string');
  });

  it('kill -9: pending and later requests reject with MpvClosedError; exited reports SIGKILL', async () => {
    const mpv = await start();
    // Stopped first so the request is certainly unanswered when the process dies.
    await stopProcess(mpv.pid);
    const pending = mpv.client.getProperty('volume', { timeoutMs: 10_000 });
    await sleep(50);
    const t0 = performance.now();
    process.kill(mpv.pid, 'SIGKILL');
    await expect(pending).rejects.toBeInstanceOf(MpvClosedError);
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(mpv.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    await expect(mpv.client.getProperty('volume')).rejects.toBeInstanceOf(MpvClosedError);
    expect(mpv.client.closed).toBe(true);
  });

  it('SIGSTOP: probe() returns false within its timeout; true again after SIGCONT', async () => {
    const mpv = await start();
    await expect(mpv.client.probe(500)).resolves.toBe(true);
    await stopProcess(mpv.pid);
    const t0 = performance.now();
    await expect(mpv.client.probe(300)).resolves.toBe(false);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    process.kill(mpv.pid, 'SIGCONT');
    await expect(mpv.client.probe(1000)).resolves.toBe(true);
    mpv.kill('SIGKILL');
    await expect(mpv.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('closing the client makes mpv exit by itself (the parent-death path)', async () => {
    const mpv = await start();
    mpv.client.close();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('still running'), 3000);
    });
    const exit = await Promise.race([mpv.exited, timeout]);
    clearTimeout(timer);
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('stop() quits cleanly, and escalates to SIGKILL for a stopped mpv', async () => {
    const clean = await start();
    await clean.stop(1000);
    await expect(clean.exited).resolves.toEqual({ code: 0, signal: null });

    const hung = await start();
    await stopProcess(hung.pid);
    const t0 = performance.now();
    await hung.stop(200);
    expect(performance.now() - t0).toBeLessThan(2000);
    await expect(hung.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('aborting the signal after start kills mpv', async () => {
    const controller = new AbortController();
    const mpv = await start({ signal: controller.signal });
    controller.abort();
    await expect(mpv.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });
});

describe('spawnMpv failures', () => {
  it('a bad mpvPath rejects with MpvStartError naming the path', async () => {
    const error = await spawnMpv({ role: 'test', mpvPath: '/nonexistent/bin/mpv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpvStartError);
    expect((error as Error).message).toContain('/nonexistent/bin/mpv');
    expect((error as Error).message).toContain('not found');
  });

  it('an invalid option: MpvStartError with exit code and mpv output', async () => {
    const lines: string[] = [];
    const error = await spawnMpv({
      role: 'test',
      audioOutput: { ao: 'null' },
      args: ['--no-such-option=1'],
      onStderrLine: (l) => lines.push(l),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpvStartError);
    expect(error).toMatchObject({ exitCode: 1, signal: null });
    expect((error as MpvStartError).outputTail).toContain('no-such-option');
    expect(lines.join('\n')).toContain('no-such-option');
  });

  /** A stand-in for an mpv that hangs at startup: writes its pid, then never speaks IPC. */
  async function withSilentMpv(test: (path: string, readPid: () => number) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'mpvisor-mpv-'));
    try {
      const fake = join(dir, 'silent-mpv');
      await writeFile(fake, `#!/bin/sh\necho "$$" > "${dir}/pid"\nexec sleep 30\n`);
      await chmod(fake, 0o755);
      await test(fake, () => Number(readFileSync(join(dir, 'pid'), 'utf8')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('no IPC answer within readyTimeoutMs: killed, MpvStartError', async () => {
    await withSilentMpv(async (fake, readPid) => {
      const t0 = performance.now();
      const error = await spawnMpv({ role: 'test', mpvPath: fake, readyTimeoutMs: 300 }).catch((e: unknown) => e);
      const elapsed = performance.now() - t0;
      expect(error).toBeInstanceOf(MpvStartError);
      expect(error).toMatchObject({ signal: 'SIGKILL' });
      expect((error as Error).message).toContain('300 ms');
      expect(elapsed).toBeLessThan(2000);
      expect(isAlive(readPid())).toBe(false);
    });
  });

  it('aborting during startup kills the process and rejects with MpvStartError', async () => {
    await withSilentMpv(async (fake, readPid) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('zone removed')), 150);
      const t0 = performance.now();
      const error = await spawnMpv({
        role: 'test',
        mpvPath: fake,
        readyTimeoutMs: 10_000,
        signal: controller.signal,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MpvStartError);
      expect(error).toMatchObject({ signal: 'SIGKILL' });
      expect((error as Error).message).toContain('aborted');
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(isAlive(readPid())).toBe(false);
    });
  });

  it('an already aborted signal rejects without spawning', async () => {
    await expect(spawnMpv({ role: 'test', signal: AbortSignal.abort() })).rejects.toBeInstanceOf(MpvStartError);
  });
});
