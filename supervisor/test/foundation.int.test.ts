import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  aliveAfter,
  cliPath,
  createRig,
  isAlive,
  MqttProbe,
  POOL_AT_ONCE,
  sleep,
  waitFor,
  type Rig,
} from '@mpvisor/testkit';

describe('supervisor -> worker -> mpv over a real Mosquitto', () => {
  const base = 'mpvf';
  let rig: Rig;

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvf', base });
    rig.start(rig.config({ zones: ['alpha', 'beta'], zoneKeys: POOL_AT_ONCE }));
  }, 20_000);

  afterAll(async () => {
    await rig?.close();
  }, 20_000);

  it('brings both zones to ready with retained state and online availability', async () => {
    for (const zone of ['alpha', 'beta']) {
      await rig.probe.waitFor(`${base}/${zone}/state`, (m) => m.json?.state === 'ready', 10_000);
    }
    await rig.probe.waitFor(`${base}/test/availability`, (m) => m.payload === 'online');
    // A fresh client sees the retained messages too.
    const late = await MqttProbe.connect(rig.broker.url);
    await late.subscribe([`${base}/test/availability`, `${base}/alpha/state`]);
    const avail = await late.waitFor(`${base}/test/availability`, () => true, 3000);
    expect(avail.retain).toBe(true);
    expect(avail.payload).toBe('online');
    // The retained state reaches a late subscriber (a live update may follow it at once: look for the retained one).
    expect((await late.waitFor(`${base}/alpha/state`, (m) => m.retain === true, 3000)).retain).toBe(true);
    await late.close();
  }, 20_000);

  it('mpvisor status lists both zones with worker and mpv pids', async () => {
    const read = () =>
      JSON.parse(
        execFileSync(process.execPath, [cliPath, 'status', '--json', '--run-dir', rig.sup.runDir], {
          encoding: 'utf8',
        }),
      );
    // Each zone's effect pool warms just after its ready: wait until status lists it running.
    const status = await waitFor(
      () => {
        const s = read();
        return s.zones.every(
          (z: { mpv_processes: Array<{ role: string; alive: boolean }> }) =>
            z.mpv_processes.some((m) => m.role === 'effect-0') && z.mpv_processes.every((m) => m.alive),
        )
          ? s
          : null;
      },
      20_000,
      'every zone listing its effect pool',
      200,
    );
    expect(status.zones.map((z: { zone: string }) => z.zone)).toEqual(['alpha', 'beta']);
    for (const z of status.zones) {
      expect(isAlive(z.pid)).toBe(true);
      expect(z.mpv_processes.map((m: { role: string }) => m.role)).toEqual(
        expect.arrayContaining(['background', 'speech', 'effect-0']),
      );
      for (const m of z.mpv_processes) expect(isAlive(m.pid)).toBe(true);
    }
    const table = execFileSync(process.execPath, [cliPath, 'status', '--run-dir', rig.sup.runDir], {
      encoding: 'utf8',
    });
    expect(table).toMatch(/alpha\s+audio\s+ready/);
  }, 30_000);

  it('playBackground makes mpv play: time-pos read from mpv advances', async () => {
    const cmd = `${base}/alpha/commands`;
    const events = `${base}/alpha/events`;
    const outcome = await rig.probe.command(cmd, events, {
      command: 'playBackground',
      file: 'tone-220.wav',
      loop: true,
    });
    expect(outcome).toMatchObject({ outcome: 'success', command: 'playBackground', zone: 'alpha' });
    const read = async () =>
      (await rig.probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'time-pos' }))
        .result.value;
    const t1 = await read();
    await sleep(600);
    const t2 = await read();
    expect(typeof t1).toBe('number');
    expect(t2 - t1).toBeGreaterThan(0.3);
    const path = (
      await rig.probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'path' })
    ).result.value;
    expect(path).toBe(join(rig.media, 'tone-220.wav'));
    const stopped = await rig.probe.command(cmd, events, { command: 'stopBackground' });
    expect(stopped.outcome).toBe('success');
    const idle = (
      await rig.probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'idle-active' })
    ).result.value;
    expect(idle).toBe(true);
  }, 20_000);

  it('answers malformed JSON and unknown commands with invalid outcomes and keeps serving', async () => {
    const cmd = `${base}/beta/commands`;
    const events = `${base}/beta/events`;
    const since = Date.now();
    await rig.probe.publish(cmd, '{not json');
    const bad = await rig.probe.waitFor(
      events,
      (m) => m.json?.type === 'command' && m.json?.error_type === 'invalid_json',
      5000,
      since,
    );
    expect(bad.json).toMatchObject({ outcome: 'invalid', zone: 'beta', command: null });
    const unknown = await rig.probe.command(cmd, events, { command: 'fly' });
    expect(unknown).toMatchObject({ outcome: 'invalid', error_type: 'unknown_command' });
    expect(unknown.message).toContain('fly');
    const outside = await rig.probe.command(cmd, events, { command: 'playBackground', file: '../../etc/passwd' });
    expect(outside).toMatchObject({ outcome: 'invalid', error_type: 'path_outside_media' });
    const missing = await rig.probe.command(cmd, events, { command: 'playBackground', file: 'nope.wav' });
    expect(missing).toMatchObject({ outcome: 'failed', error_type: 'file_not_found' });
    const ok = await rig.probe.command(cmd, events, { command: 'getState' });
    expect(ok).toMatchObject({ outcome: 'success' });
    expect(ok.result.background.status).toBe('stopped');
  }, 20_000);

  it('diagnostics and a zone health_check report what is really running', async () => {
    const diag = await rig.sys({ command: 'diagnostics' });
    expect(diag.outcome).toBe('success');
    const r = diag.result;
    const status = JSON.parse(
      execFileSync(process.execPath, [cliPath, 'status', '--json', '--run-dir', rig.sup.runDir], { encoding: 'utf8' }),
    );
    for (const z of status.zones) {
      const entry = r.processes.find((p: { pid: number }) => p.pid === z.pid);
      expect(entry).toMatchObject({ zone: z.zone, alive: true });
    }
    expect(r.sockets.find((s: { path: string }) => s.path === join(rig.sup.runDir, 'control.sock'))).toMatchObject({
      is_socket: true,
      live: true,
    });
    expect(r.audio.zones.map((z: { zone: string }) => z.zone)).toEqual(['alpha', 'beta']);
    expect(r.recent_errors.map((z: { zone: string }) => z.zone)).toEqual(['alpha', 'beta']);
    expect(typeof r.supervisor.rss_mb).toBe('number');
    const health = await rig.cmd('alpha', { command: 'health_check' });
    expect(health).toMatchObject({ outcome: 'success', result: { zone: 'alpha', healthy: true, state: 'ready' } });
    for (const m of health.result.mpv) expect(isAlive(m.pid)).toBe(true);
  }, 20_000);

  it('answers a repeated id again without executing it twice', async () => {
    const cmd = `${base}/beta/commands`;
    const events = `${base}/beta/events`;
    const first = await rig.probe.command(cmd, events, { command: 'getState', id: 'dup-1' });
    await rig.probe.publish(cmd, { command: 'getState', id: 'dup-1' });
    await waitFor(() => rig.probe.outcomesFor(events, 'dup-1').length >= 2, 5000, 'second answer');
    const answers = rig.probe.outcomesFor(events, 'dup-1').map((m) => m.json);
    expect(answers[1].outcome).toBe(first.outcome);
    expect(answers[1].duration_ms).toBe(first.duration_ms);
  });
});

describe('death flows downward', () => {
  it('SIGKILL of the supervisor leaves no worker and no mpv alive after 2 s', async () => {
    const rig = await createRig({ prefix: 'mpvk', base: 'mpvk' });
    const { probe } = rig;
    const sup = rig.start(rig.config({ zones: ['one', 'two'], zoneKeys: POOL_AT_ONCE }));
    try {
      // Ready, and the effect pool (warming after ready) running: 4 mpv per zone.
      const warm = (m: { json?: { state?: string; mpv_processes?: Array<{ alive: boolean }> } }) =>
        m.json?.state === 'ready' && m.json.mpv_processes?.length === 4 && m.json.mpv_processes.every((i) => i.alive);
      await probe.waitFor('mpvk/one/state', warm, 20_000);
      await probe.waitFor('mpvk/two/state', warm, 20_000);
      await probe.command('mpvk/one/commands', 'mpvk/one/events', {
        command: 'playBackground',
        file: 'tone-330.wav',
        loop: true,
      });
      const tree = sup.tree();
      expect(tree.length).toBeGreaterThanOrEqual(2 + 2 * 4);
      sup.child.kill('SIGKILL');
      await sup.exited;
      expect(await aliveAfter(tree, 2000)).toEqual([]);
      // The broker published the Last Will for us.
      await probe.waitFor('mpvk/test/availability', (m) => m.payload === 'offline', 5000);
    } finally {
      await rig.close();
    }
  }, 45_000);
});
