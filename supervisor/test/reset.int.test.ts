import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import { isSameProcess, readIdentity } from '@mpvisor/sys';
import { createRig, isAlive, OwnProcesses, runCli, sleep, waitFor, type OwnProcess, type Rig } from '@mpvisor/testkit';

// The reset coordinator against a real supervisor, real workers and mpv, and real MQTT: what a reset
// kills and cleans is exactly what it reports, what it does not own survives, and a reset of one zone
// leaves the other zones playing.

const rand = () => randomBytes(4).toString('hex');

interface HealthZone {
  zone: string;
  state: string;
  worker_pid: number;
  mpv_pids: number[];
}

describe('reset coordinator', () => {
  const base = `mpvr${rand()}`;
  const own = new OwnProcesses();
  let rig: Rig;
  let ext: OwnProcess;
  let extSock: string;

  const sys = { cmd: `${base}/system/commands`, events: `${base}/system/events` };
  const zoneCmd = (zone: string, body: object, timeoutMs = 15_000) => rig.cmd(zone, body, timeoutMs);
  const sysCmd = (body: object, timeoutMs = 40_000) => rig.sys(body, timeoutMs);
  const statuses = (id: string): any[] =>
    rig.probe.messages
      .filter((m) => m.topic === sys.events && m.json?.type === 'system_reset_status' && m.json?.id === id)
      .map((m) => m.json);
  const health = async (): Promise<HealthZone[]> => {
    const h = await sysCmd({ command: 'health_check' });
    expect(h.outcome).toBe('success');
    return h.result.zones;
  };
  const timePos = async (zone: string): Promise<{ at: number; value: number }> => {
    const r = await zoneCmd(zone, { command: 'getMpvProperty', role: 'background', property: 'time-pos' }, 5000);
    if (r.outcome !== 'success') throw new Error(`time-pos of ${zone}: ${r.message}`);
    return { at: Date.now(), value: r.result.value as number };
  };
  const allReady = async (since: number) => {
    for (const z of ['one', 'two']) await rig.ready(z, since, 20_000);
  };

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvr', base });
    extSock = `/tmp/mpv-ext-${rand()}.sock`;
    ext = await own.mpvWithSocket(extSock);
    const since = Date.now();
    rig.start(rig.config({ zones: ['one', 'two'], extra: 'reset_timeout = 20000' }));
    await allReady(since);
  }, 40_000);

  afterAll(async () => {
    own.killAll();
    await rig?.close();
  }, 30_000);

  it('cleanup_orphans, reset_sockets and a hard full reset spare an external mpv and its live socket; every mpv of ours is replaced and counted', async () => {
    const orphans = await sysCmd({ command: 'cleanup_orphans' });
    expect(orphans).toMatchObject({ outcome: 'success' });
    expect(orphans.result.mpv_processes_killed).toBe(0);
    const sockets = await sysCmd({ command: 'reset_sockets' });
    expect(sockets.outcome).toBe('success');
    expect(sockets.result.kept_live).toContain(extSock);
    expect(isSameProcess(ext.id)).toBe(true);

    // Each zone's effect pool warms after its ready: the census below wants all 4 mpv of each.
    const before = await waitFor(
      async () => {
        const zones = await health();
        return zones.every((z) => z.mpv_pids.length === 4) ? zones : null;
      },
      20_000,
      'every zone with its effect pool',
      200,
    );
    const oldMpv = before.flatMap((z) => z.mpv_pids.map((pid) => readIdentity(pid)!));
    const oldWorkers = before.map((z) => z.worker_pid);
    expect(oldMpv.length).toBeGreaterThanOrEqual(4);
    // A stale ParadoxFX-style socket (its mpv killed) for the reset to clean.
    const stale = `/tmp/pfx-reset-${rand()}.sock`;
    const dead = await own.mpvWithSocket(stale);
    dead.child.kill('SIGKILL');
    await new Promise((r) => dead.child.once('exit', r));

    const id = `hard-${rand()}`;
    const since = Date.now();
    const r = await sysCmd({ command: 'reset', level: 'hard', id });
    expect(r).toMatchObject({ outcome: 'success', command: 'reset', id });
    const phases = statuses(id);
    expect(phases.map((s) => s.phase)).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    for (const s of phases) {
      expect(Object.keys(s).sort()).toEqual(['duration_ms', 'errors', 'id', 'phase', 'progress', 'timestamp', 'type']);
      expect(Object.keys(s.progress).sort()).toEqual([
        'devices_reinitialized',
        'mpv_processes_killed',
        'sinks_unloaded',
        'sockets_cleaned',
      ]);
    }
    const done = phases.at(-1);
    // What it reports is what really happened: every old mpv is gone, and it counted exactly those.
    expect(oldMpv.every((m) => !isSameProcess(m))).toBe(true);
    expect(oldWorkers.every((p) => !isAlive(p))).toBe(true);
    expect(done.progress.mpv_processes_killed).toBe(oldMpv.length);
    expect(r.result.mpv_killed.map((k: { pid: number }) => k.pid).sort()).toEqual(oldMpv.map((m) => m.pid).sort());
    expect(done.progress.sockets_cleaned).toBe(r.result.sockets_removed.length);
    expect(r.result.sockets_removed).toContain(stale);
    expect(existsSync(stale)).toBe(false);
    expect(done.progress.devices_reinitialized).toBe(2);
    expect(done.progress.sinks_unloaded).toBe(0);
    expect(done.errors).toEqual([]);
    // Not ours: untouched.
    expect(isSameProcess(ext.id)).toBe(true);
    expect(lstatSync(extSock).isSocket()).toBe(true);
    expect(r.result.sockets_kept_live).toContain(extSock);

    await allReady(since);
    const after = await health();
    for (const z of after) {
      expect(z.state).toBe('ready');
      expect(isAlive(z.worker_pid)).toBe(true);
      expect(oldWorkers).not.toContain(z.worker_pid);
      expect(z.mpv_pids.length).toBeGreaterThanOrEqual(1);
      for (const pid of z.mpv_pids) {
        expect(isAlive(pid)).toBe(true);
        expect(oldMpv.some((m) => m.pid === pid && isSameProcess(m))).toBe(false);
      }
    }
    // The system state says so while it runs, and goes back afterwards.
    expect(
      rig.probe.messages.some(
        (m) => m.topic === `${base}/system/state` && m.at >= since && m.json?.state === 'resetting',
      ),
    ).toBe(true);
    await rig.probe.waitFor(`${base}/system/state`, (m) => m.json?.state === 'running', 5000, since);
    console.log(
      `hard full reset: ${done.progress.mpv_processes_killed} mpv killed, ${done.progress.sockets_cleaned} sockets cleaned, ${done.duration_ms} ms`,
    );
  }, 60_000);

  it('a second reset while one runs is refused with busy', async () => {
    const first = `first-${rand()}`;
    const second = `second-${rand()}`;
    const since = Date.now();
    await rig.probe.publish(sys.cmd, { command: 'system_reset', type: 'full', force: true, id: first });
    await rig.probe.waitFor(sys.events, (m) => m.json?.type === 'system_reset_status' && m.json?.id === first, 10_000);
    const busy = await sysCmd({ command: 'reset', zones: ['two'], id: second });
    expect(busy).toMatchObject({ outcome: 'failed', error_type: 'busy', id: second });
    const ok = await rig.probe.waitFor(sys.events, (m) => m.json?.type === 'command' && m.json?.id === first, 30_000);
    expect(ok.json.outcome).toBe('success');
    expect(statuses(first).map((s) => s.phase)).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    expect(statuses(second).map((s) => s.phase)).toEqual(['failed']);
    await allReady(since);
    expect(isSameProcess(ext.id)).toBe(true);
  }, 60_000);

  it('a soft zone reset with preserve_state resumes the background where it was, and the other zone never stalls', async () => {
    for (const [z, f] of [
      ['one', 'tone-220.wav'],
      ['two', 'tone-330.wav'],
    ] as const) {
      expect((await zoneCmd(z, { command: 'playBackground', file: f, loop: true })).outcome).toBe('success');
    }
    await sleep(2500);
    // Sample zone two's position as fast as the round trip allows, across the whole reset of zone one.
    const samples: Array<{ at: number; value: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await timePos('two'));
        await sleep(20);
      }
    })();
    await sleep(300);
    const before = await timePos('one');
    const id = `soft-${rand()}`;
    const t0 = Date.now();
    await rig.probe.publish(`${base}/one/commands`, { command: 'reset', level: 'soft', preserve_state: true, id });
    const resumed = await rig.probe.waitFor(
      `${base}/one/events`,
      (m) => m.json?.type === 'background' && m.json?.state === 'resumed',
      10_000,
      t0,
    );
    const outcome = (
      await rig.probe.waitFor(`${base}/one/events`, (m) => m.json?.type === 'command' && m.json?.id === id, 20_000)
    ).json;
    const after = await timePos('one');
    await sleep(500);
    sampling = false;
    await sampler;

    expect(outcome).toMatchObject({ outcome: 'success', command: 'reset', zone: 'one' });
    expect(statuses(id).map((s) => s.phase)).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    const saved = outcome.result.preserved.one.background;
    expect(saved).toMatchObject({ file: expect.stringContaining('tone-220.wav'), status: 'playing', loop: true });
    const resumeMs = resumed.at - t0;
    // Where the old playback was when the command left, extrapolated to the snapshot: the saved position.
    const snapshotDrift = saved.position_s - before.value;
    // Where the new playback is, compared with the saved position advanced by the time since it resumed.
    const positionError = after.value - (saved.position_s + (after.at - resumed.at) / 1000);
    let maxStall = 0;
    for (let i = 1; i < samples.length; i++) {
      const dt = (samples[i]!.at - samples[i - 1]!.at) / 1000;
      const dp = samples[i]!.value - samples[i - 1]!.value;
      if (dp < 0) continue; // looped back to the start
      maxStall = Math.max(maxStall, dt - dp);
    }
    const ctl = outcome.result;
    console.log(
      `soft zone reset with preserve_state: resumed ${resumeMs} ms after the command (reset outcome ${outcome.duration_ms} ms); ` +
        `position before ${before.value.toFixed(3)} s, saved ${saved.position_s.toFixed(3)} s (drift ${snapshotDrift.toFixed(3)} s), ` +
        `resumed position error ${positionError.toFixed(3)} s; other zone: ${samples.length} samples, max stall ${(maxStall * 1000).toFixed(0)} ms; ` +
        `mpv killed ${ctl.progress.mpv_processes_killed}`,
    );
    expect(resumeMs).toBeLessThan(2000);
    expect(Math.abs(snapshotDrift)).toBeLessThan(1);
    expect(Math.abs(positionError)).toBeLessThan(1);
    expect(samples.length).toBeGreaterThan(10);
    expect(maxStall).toBeLessThan(0.25);
    expect(await zoneCmd('two', { command: 'getState' })).toMatchObject({
      result: { background: { status: 'playing' } },
    });
  }, 60_000);

  it('`mpvisor reset` streams the phases and exits 0 on complete', async () => {
    const since = Date.now();
    const r = await runCli(['reset', 'two', '--run-dir', rig.sup.runDir], 60_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const phases = r.lines.map((l) => /^reset (\w+)/.exec(l.line)?.[1]).filter(Boolean);
    expect(phases).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    expect(r.stdout).toMatch(/reset complete .*mpv_processes_killed=\d+/);
    expect(r.stdout).toMatch(/success: full reset of zone two complete/);
    await allReady(since);
    expect(isSameProcess(ext.id)).toBe(true);
  }, 60_000);
});
