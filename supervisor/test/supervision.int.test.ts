import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { circular, zoneHarness } from './zone-harness.js';
import { isAlive, MqttProbe, sleep, tempDir, testIni, waitFor } from '@mpvisor/testkit';
import { readStat } from '@mpvisor/sys';

// Real supervisor, workers, mpv and Mosquitto. Faults are real signals to real processes.

interface ZoneSpec {
  name: string;
  extra?: string[];
}

function iniFor(o: {
  port: number;
  media: string;
  base: string;
  zones: ZoneSpec[];
  global?: string[];
  system?: string[];
}): string {
  return testIni({
    port: o.port,
    base: o.base,
    media: o.media,
    logLevel: 'info',
    global: ['heartbeat_interval = 1000', `heartbeat_topic = ${o.base}/heartbeat`, ...(o.global ?? [])],
    system: [
      'startup_timeout_ms = 8000',
      'heartbeat_timeout_ms = 1500',
      'health_interval_ms = 500',
      'restart_backoff_initial_ms = 100',
      ...(o.system ?? []),
    ],
    zones: o.zones.map((z) => ({ name: z.name, keys: z.extra ?? [] })),
  });
}

/** One supervisor run with helpers over its zones. */
const harness = zoneHarness;

const mpvPid = (state: any, role: string): number =>
  state.mpv_processes.find((m: { role: string }) => m.role === role).pid;
const stopped = (pid: number) => readStat(pid)?.state === 'T';

describe('supervision of workers and mpv', () => {
  let h: Awaited<ReturnType<typeof harness>>;

  beforeAll(async () => {
    h = await harness('mpvs', (port, media, base) =>
      iniFor({
        port,
        media,
        base,
        zones: [
          { name: 'alpha' },
          { name: 'beta', extra: ['max_restarts = 20'] },
          { name: 'gamma', extra: ['audio_device = pulse/does_not_exist', 'max_rss_mb = 1'] },
        ],
      }),
    );
    for (const z of ['alpha', 'beta', 'gamma']) await h.ready(z, 0, 15_000);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('a zone whose audio device does not exist is ready on the null output with a warning, not a crash loop', async () => {
    const warn = await h.probe.waitFor(
      `${h.base}/gamma/warnings`,
      // Another warning may come first (no audio server reachable, from the output status): wait for this one.
      (m) => /null output/i.test(m.json?.message ?? ''),
      5000,
    );
    expect(warn.json.message).toContain('null output');
    await sleep(1500);
    const st = await h.state('gamma');
    expect(st).toMatchObject({ state: 'ready', restarts: 0, audio_output: 'null' });
    expect(h.lifecycle('gamma', 0).map((e) => e.event)).toEqual(['started']);
  }, 15_000);

  it('resource watch: CPU% and RSS of the worker and each mpv in zone state and metrics; a limit warns', async () => {
    const st = await waitFor(
      async () => {
        const s = await h.state('alpha');
        const alive = s.mpv_processes.filter((m: { alive: boolean }) => m.alive).length;
        return s.resources?.processes === 1 + alive ? s : null;
      },
      5000,
      'alpha resources over the worker and every live mpv',
    );
    expect(st.resources.rss_mb).toBeGreaterThan(10);
    expect(st.resources.cpu_percent).toBeGreaterThanOrEqual(0);
    const metrics = await h.probe.command(`${h.base}/system/commands`, `${h.base}/system/events`, {
      command: 'metrics',
    });
    const alpha = metrics.result.zones.alpha;
    expect(alpha.per_process.map((p: { role: string }) => p.role)).toEqual(
      expect.arrayContaining(['mpv:background', 'mpv:speech', 'worker']),
    );
    expect(alpha.per_process).toHaveLength(st.resources.processes);
    expect(alpha.per_process.find((p: { role: string }) => p.role === 'worker').pid).toBe(st.pid);
    // gamma has max_rss_mb = 1: warned once after 3 samples, and (restart_on_resource_limit off) not restarted.
    const w = await h.probe.waitFor(
      `${h.base}/gamma/warnings`,
      (m) => /max_rss_mb 1 for 3 samples/.test(m.json?.message ?? ''),
      5000,
    );
    expect(w.json.zone).toBe('gamma');
    expect((await h.state('gamma')).restarts).toBe(0);
  }, 15_000);

  it('kill -9 of the background mpv: same worker, new mpv, music resumes near its position', async () => {
    await h.cmd('alpha', { command: 'playBackground', file: 'tone-220.wav', loop: true });
    await sleep(1500);
    const before = await h.state('alpha');
    const old = await h.prop('alpha', 'background', 'time-pos');
    process.kill(old.pid, 'SIGKILL');
    const after = await h.playing('alpha');
    expect(after.pid).not.toBe(old.pid);
    expect(isAlive(old.pid)).toBe(false);
    // The position is sampled once per heartbeat (500 ms here); the resume is quick.
    expect(Math.abs(circular(after.value - old.value))).toBeLessThan(3);
    const now = await h.state('alpha');
    expect(now.pid).toBe(before.pid);
    expect(now.restarts).toBe(before.restarts);
    expect((await h.prop('alpha', 'background', 'path')).value).toBe(join(h.media, 'tone-220.wav'));
    expect((await h.prop('alpha', 'background', 'loop-file')).value).toBe('inf');
  }, 20_000);

  it('kill -9 of the speech mpv: same worker, new speech mpv that answers', async () => {
    const before = await h.state('alpha');
    const old = mpvPid(before, 'speech');
    process.kill(old, 'SIGKILL');
    const fresh = await waitFor(
      async () => {
        const r = await h.prop('alpha', 'speech', 'idle-active');
        return r.pid !== old && r.value === true ? r : null;
      },
      8000,
      'a new speech mpv',
      100,
    );
    expect(isAlive(old)).toBe(false);
    expect(isAlive(fresh.pid)).toBe(true);
    expect((await h.state('alpha')).pid).toBe(before.pid);
  }, 15_000);

  it('SIGSTOP of an mpv: the worker notices the missed probes, kills and restarts it', async () => {
    const before = await h.state('alpha');
    const old = mpvPid(before, 'background');
    process.kill(old, 'SIGSTOP');
    await waitFor(() => stopped(old) || !isAlive(old), 2000, 'the mpv to stop');
    const after = await h.playing('alpha', 10_000);
    expect(after.pid).not.toBe(old);
    expect(isAlive(old)).toBe(false);
    expect((await h.state('alpha')).pid).toBe(before.pid);
  }, 20_000);

  it('kill -9 of a worker: crashed, restarting, restarted events; background playing again', async () => {
    const before = await h.state('alpha');
    await h.playing('alpha');
    const since = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const crashed = await h.waitLifecycle('alpha', 'crashed', since);
    expect(crashed).toMatchObject({ zone: 'alpha', signal: 'SIGKILL', code: null, reason: 'killed by SIGKILL' });
    const restarting = await h.waitLifecycle('alpha', 'restarting', since);
    expect(restarting).toMatchObject({ attempt: 1, max: 5 });
    expect(restarting.delay_ms).toBe(0); // the first restart after a stable run is immediate
    const restarted = await h.waitLifecycle('alpha', 'restarted', since);
    expect(restarted.pid).not.toBe(before.pid);
    expect(restarted.restarts).toBe(before.restarts + 1);
    const played = await h.playing('alpha');
    expect((await h.prop('alpha', 'background', 'path')).value).toBe(join(h.media, 'tone-220.wav'));
    const st = await h.state('alpha');
    expect(st).toMatchObject({
      state: 'ready',
      pid: restarted.pid,
      restarts: before.restarts + 1,
      next_restart_ms: null,
    });
    expect(st.last_exit).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(mpvPid(st, 'background')).toBe(played.pid);
    // The old worker's mpv went down with its process group.
    for (const m of before.mpv_processes) expect(isAlive(m.pid)).toBe(false);
    const sysEvents = h.probe.messages.filter(
      (m) => m.topic === `${h.base}/system/events` && m.json?.type === 'zone_lifecycle' && m.at >= since,
    );
    expect(sysEvents.map((m) => m.json.event)).toEqual(expect.arrayContaining(['crashed', 'restarting', 'restarted']));
  }, 20_000);

  it('SIGSTOP of a worker: killed (with its group) and restarted within heartbeat_timeout_ms + slack', async () => {
    const before = await h.state('alpha');
    const since = Date.now();
    process.kill(before.pid, 'SIGSTOP');
    const crashed = await h.waitLifecycle('alpha', 'crashed', since, 5000);
    const detectedMs = Date.now() - since;
    expect(crashed.reason).toBe('no heartbeat for 1500 ms');
    expect(crashed.signal).toBe('SIGKILL');
    // Last heartbeat up to one interval (500 ms) before the stop, timeout 1500 ms, plus scheduling slack.
    expect(detectedMs).toBeLessThan(1500 + 1000);
    const restarted = await h.waitLifecycle('alpha', 'restarted', since, 8000);
    expect(restarted.pid).not.toBe(before.pid);
    expect(isAlive(before.pid)).toBe(false);
    await h.playing('alpha');
  }, 20_000);

  it("crash isolation: 5 kills of beta's worker never stall alpha's music, pid or restart count", async () => {
    await h.playing('alpha');
    const a0 = await h.state('alpha');
    const samples: Array<{ at: number; pos: number; pid: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const r = await h.prop('alpha', 'background', 'time-pos');
        samples.push({ at: Date.now(), pos: r.value, pid: r.pid });
        await sleep(100);
      }
    })();
    for (let i = 0; i < 5; i++) {
      const b = await h.state('beta');
      expect(b.state).toBe('ready');
      const since = Date.now();
      process.kill(b.pid, 'SIGKILL');
      await h.waitLifecycle('beta', 'restarted', since, 10_000);
      await h.ready('beta', since);
    }
    sampling = false;
    await sampler;
    const a1 = await h.state('alpha');
    expect(a1.pid).toBe(a0.pid);
    expect(a1.restarts).toBe(a0.restarts);
    expect(samples.length).toBeGreaterThan(10);
    expect(new Set(samples.map((s) => s.pid)).size).toBe(1);
    // Longest time alpha's position did not move between samples.
    let lastMove = samples[0]!.at;
    let worst = 0;
    for (let i = 1; i < samples.length; i++) {
      if (circular(samples[i]!.pos - samples[i - 1]!.pos) > 0.01) lastMove = samples[i]!.at;
      worst = Math.max(worst, samples[i]!.at - lastMove);
    }
    expect(worst).toBeLessThan(250);
    expect((await h.state('beta')).restarts).toBe(5);
  }, 60_000);
});

describe('a zone that fails at every start', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  const binDir = tempDir('mpvb');
  const bin = binDir.path;

  beforeAll(async () => {
    writeFileSync(join(bin, 'fail.sh'), '#!/bin/sh\necho "fake mpv: refusing to start" >&2\nexit 1\n', { mode: 0o755 });
    symlinkSync(join(bin, 'fail.sh'), join(bin, 'mpv'));
    h = await harness('mpvx', (port, media, base) =>
      iniFor({
        port,
        media,
        base,
        global: [`mpv_path = ${join(bin, 'mpv')}`],
        system: ['max_restarts = 3', 'restart_backoff_initial_ms = 50', 'restart_window_ms = 60000'],
        zones: [{ name: 'bad' }],
      }),
    );
  }, 30_000);

  afterAll(async () => {
    try {
      await h?.close();
    } finally {
      binDir.remove();
    }
  }, 30_000);

  it('reaches failed after exactly max_restarts restarts, retained, and stays there', async () => {
    const failed = await h.waitLifecycle('bad', 'failed', 0, 20_000);
    expect(failed.reason).toBe('more than 3 restarts within 60000 ms');
    await sleep(1500);
    const events = h.lifecycle('bad', 0);
    const restarting = events.filter((e) => e.event === 'restarting');
    expect(restarting.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(restarting.map((e) => e.max)).toEqual([3, 3, 3]);
    expect(restarting[0].delay_ms).toBe(0);
    expect(restarting[1].delay_ms).toBeGreaterThanOrEqual(40); // 50 ms +-20 %
    expect(restarting[2].delay_ms).toBeGreaterThanOrEqual(80); // 100 ms +-20 %
    expect(events.filter((e) => e.event === 'crashed')).toHaveLength(4);
    expect(events.filter((e) => e.event === 'crashed').every((e) => e.code === 1)).toBe(true);
    expect(events.at(-1).event).toBe('failed');
    const late = await MqttProbe.connect(h.broker.url);
    try {
      await late.subscribe(`${h.base}/bad/state`);
      const st = await late.waitFor(`${h.base}/bad/state`, () => true, 3000);
      expect(st.retain).toBe(true);
      expect(st.json).toMatchObject({ state: 'failed', restarts: 3, pid: null, next_restart_ms: null });
      expect(st.json.last_exit).toMatchObject({ code: 1, signal: null });
    } finally {
      await late.close();
    }
    expect(h.sup.tree()).toEqual([]);
  }, 30_000);

  it('a restart command revives it once the cause is fixed', async () => {
    // Fix the cause: the same mpv_path now leads to the real mpv.
    symlinkSync('/usr/bin/mpv', join(bin, 'mpv.new'));
    renameSync(join(bin, 'mpv.new'), join(bin, 'mpv'));
    const since = Date.now();
    const r = await h.cmd('bad', { command: 'restart', reason: 'fixed' });
    expect(r).toMatchObject({ outcome: 'success' });
    expect(r.message).toContain('was failed');
    await h.ready('bad', since);
    const st = await h.state('bad');
    expect(st.state).toBe('ready');
    expect(isAlive(st.pid)).toBe(true);
    await h.cmd('bad', { command: 'playBackground', file: 'tone-330.wav', loop: true });
    await h.playing('bad');
  }, 20_000);

  it('reset restarts the zone with a fresh record; preserve_state brings the background back', async () => {
    const before = await h.state('bad');
    const since = Date.now();
    const r = await h.cmd('bad', { command: 'reset', level: 'hard', preserve_state: true });
    expect(r.outcome).toBe('success');
    expect(r.result).toMatchObject({ level: 'hard', preserve_state: true });
    await h.ready('bad', since);
    const st = await h.state('bad');
    expect(st.pid).not.toBe(before.pid);
    // Through the reset coordinator (supervisor/test/reset.int.test.ts covers it in depth).
    await h.playing('bad');
  }, 20_000);
});

describe('auto reset', () => {
  it('after auto_reset_threshold consecutive failures: one soft reset through the reset coordinator, then failed', async () => {
    const bin = tempDir('mpvr');
    writeFileSync(join(bin.path, 'mpv'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const h = await harness('mpva', (port, media, base) =>
      iniFor({
        port,
        media,
        base,
        global: [`mpv_path = ${join(bin.path, 'mpv')}`],
        system: [
          'auto_reset_enabled = true',
          'auto_reset_threshold = 2',
          'max_restarts = 2',
          'restart_backoff_initial_ms = 50',
        ],
        zones: [{ name: 'loop' }],
      }),
    );
    try {
      await h.waitLifecycle('loop', 'failed', 0, 45_000);
      const seq = h
        .lifecycle('loop', 0)
        .map((e) => e.event)
        .filter((e) => e !== 'crashed');
      expect(seq).toEqual(['restarting', 'auto_reset', 'reset', 'restarting', 'restarting', 'failed']);
      const reset = h.lifecycle('loop', 0).find((e) => e.event === 'auto_reset');
      expect(reset).toMatchObject({ level: 'soft', consecutive_failures: 2 });
      expect(h.lifecycle('loop', 0).find((e) => e.event === 'reset')).toMatchObject({
        command: 'auto_reset',
        kind: 'full',
        preserve_state: true,
      });
      // Phases like any reset; it fails because the zone cannot come back.
      const phases = await waitFor(
        () => {
          const p = h.probe.messages
            .filter((m) => m.topic === `${h.base}/system/events` && m.json?.type === 'system_reset_status')
            .map((m) => m.json.phase);
          return p.includes('failed') || p.includes('complete') ? p : null;
        },
        20_000,
        'the auto reset to end',
      );
      expect(phases).toEqual(['starting', 'cleanup', 'reinit', 'failed']);
      expect(h.sup.output()).toContain('auto reset');
    } finally {
      await h.close();
      bin.remove();
    }
  }, 70_000);
});
