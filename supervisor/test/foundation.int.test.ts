import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import {
  aliveAfter,
  cliPath,
  isAlive,
  MqttProbe,
  POOL_AT_ONCE,
  sleep,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
  type Mosquitto,
  type SupervisorProcess,
} from '@mpvisor/testkit';

describe('supervisor -> worker -> mpv over a real Mosquitto', () => {
  const dir = tempDir('mpvf');
  const media = join(dir.path, 'media');
  let broker: Mosquitto;
  let sup: SupervisorProcess;
  let probe: MqttProbe;
  const base = 'mpvf';

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    broker = await startMosquitto({ dir: dir.path });
    probe = await MqttProbe.connect(broker.url);
    await probe.subscribe(`${base}/#`);
    sup = startSupervisor({
      dir: dir.path,
      config: testConfig({
        port: broker.port,
        mediaDir: media,
        zones: ['alpha', 'beta'],
        base,
        zoneKeys: POOL_AT_ONCE,
      }),
    });
  }, 20_000);

  afterAll(async () => {
    await sup?.stop();
    await probe?.close();
    await broker?.stop();
    dir.remove();
  }, 20_000);

  it('brings both zones to ready with retained state and online availability', async () => {
    for (const zone of ['alpha', 'beta']) {
      await probe.waitFor(`${base}/${zone}/state`, (m) => m.json?.state === 'ready', 10_000);
    }
    await probe.waitFor(`${base}/test/availability`, (m) => m.payload === 'online');
    // A fresh client sees the retained messages too.
    const late = await MqttProbe.connect(broker.url);
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
        execFileSync(process.execPath, [cliPath, 'status', '--json', '--run-dir', sup.runDir], { encoding: 'utf8' }),
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
    const table = execFileSync(process.execPath, [cliPath, 'status', '--run-dir', sup.runDir], { encoding: 'utf8' });
    expect(table).toMatch(/alpha\s+audio\s+ready/);
  }, 30_000);

  it('playBackground makes mpv play: time-pos read from mpv advances', async () => {
    const cmd = `${base}/alpha/commands`;
    const events = `${base}/alpha/events`;
    const outcome = await probe.command(cmd, events, { command: 'playBackground', file: 'tone-220.wav', loop: true });
    expect(outcome).toMatchObject({ outcome: 'success', command: 'playBackground', zone: 'alpha' });
    const read = async () =>
      (await probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'time-pos' })).result
        .value;
    const t1 = await read();
    await sleep(600);
    const t2 = await read();
    expect(typeof t1).toBe('number');
    expect(t2 - t1).toBeGreaterThan(0.3);
    const path = (await probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'path' }))
      .result.value;
    expect(path).toBe(join(media, 'tone-220.wav'));
    const stopped = await probe.command(cmd, events, { command: 'stopBackground' });
    expect(stopped.outcome).toBe('success');
    const idle = (
      await probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'idle-active' })
    ).result.value;
    expect(idle).toBe(true);
  }, 20_000);

  it('answers malformed JSON and unknown commands with invalid outcomes and keeps serving', async () => {
    const cmd = `${base}/beta/commands`;
    const events = `${base}/beta/events`;
    const since = Date.now();
    await probe.publish(cmd, '{not json');
    const bad = await probe.waitFor(
      events,
      (m) => m.json?.type === 'command' && m.json?.error_type === 'invalid_json',
      5000,
      since,
    );
    expect(bad.json).toMatchObject({ outcome: 'invalid', zone: 'beta', command: null });
    const unknown = await probe.command(cmd, events, { command: 'fly' });
    expect(unknown).toMatchObject({ outcome: 'invalid', error_type: 'unknown_command' });
    expect(unknown.message).toContain('fly');
    const outside = await probe.command(cmd, events, { command: 'playBackground', file: '../../etc/passwd' });
    expect(outside).toMatchObject({ outcome: 'invalid', error_type: 'path_outside_media' });
    const missing = await probe.command(cmd, events, { command: 'playBackground', file: 'nope.wav' });
    expect(missing).toMatchObject({ outcome: 'failed', error_type: 'file_not_found' });
    const ok = await probe.command(cmd, events, { command: 'getState' });
    expect(ok).toMatchObject({ outcome: 'success' });
    expect(ok.result.background.status).toBe('stopped');
  }, 20_000);

  it('diagnostics and a zone health_check report what is really running', async () => {
    const diag = await probe.command(`${base}/system/commands`, `${base}/system/events`, { command: 'diagnostics' });
    expect(diag.outcome).toBe('success');
    const r = diag.result;
    const status = JSON.parse(
      execFileSync(process.execPath, [cliPath, 'status', '--json', '--run-dir', sup.runDir], { encoding: 'utf8' }),
    );
    for (const z of status.zones) {
      const entry = r.processes.find((p: { pid: number }) => p.pid === z.pid);
      expect(entry).toMatchObject({ zone: z.zone, alive: true });
    }
    expect(r.sockets.find((s: { path: string }) => s.path === join(sup.runDir, 'control.sock'))).toMatchObject({
      is_socket: true,
      live: true,
    });
    expect(r.audio.zones.map((z: { zone: string }) => z.zone)).toEqual(['alpha', 'beta']);
    expect(r.recent_errors.map((z: { zone: string }) => z.zone)).toEqual(['alpha', 'beta']);
    expect(typeof r.supervisor.rss_mb).toBe('number');
    const health = await probe.command(`${base}/alpha/commands`, `${base}/alpha/events`, { command: 'health_check' });
    expect(health).toMatchObject({ outcome: 'success', result: { zone: 'alpha', healthy: true, state: 'ready' } });
    for (const m of health.result.mpv) expect(isAlive(m.pid)).toBe(true);
  }, 20_000);

  it('answers a repeated id again without executing it twice', async () => {
    const cmd = `${base}/beta/commands`;
    const events = `${base}/beta/events`;
    const first = await probe.command(cmd, events, { command: 'getState', id: 'dup-1' });
    await probe.publish(cmd, { command: 'getState', id: 'dup-1' });
    await waitFor(() => probe.outcomesFor(events, 'dup-1').length >= 2, 5000, 'second answer');
    const answers = probe.outcomesFor(events, 'dup-1').map((m) => m.json);
    expect(answers[1].outcome).toBe(first.outcome);
    expect(answers[1].duration_ms).toBe(first.duration_ms);
  });
});

describe('death flows downward', () => {
  it('SIGKILL of the supervisor leaves no worker and no mpv alive after 2 s', async () => {
    const dir = tempDir('mpvk');
    const media = join(dir.path, 'media');
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    const broker = await startMosquitto({ dir: dir.path });
    const probe = await MqttProbe.connect(broker.url);
    await probe.subscribe('mpvk/#');
    const sup = startSupervisor({
      dir: dir.path,
      config: testConfig({
        port: broker.port,
        mediaDir: media,
        zones: ['one', 'two'],
        base: 'mpvk',
        zoneKeys: POOL_AT_ONCE,
      }),
    });
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
      await sup.stop();
      await probe.close();
      await broker.stop();
      dir.remove();
    }
  }, 45_000);
});
