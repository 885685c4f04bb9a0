import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath, MqttProbe, startMosquitto, testConfig } from '@mpvisor/testkit';
import { circular, zoneHarness } from './zone-harness.js';

// reload_config against a real supervisor, workers and mpv: zones added, removed, restarted (media
// preserved) and changed in place while an unchanged zone keeps playing without a stall and keeps its
// pids; an invalid file changes nothing; SIGHUP reloads as systemd's ExecReload does.

type Zone = { name: string; keys?: string[] };

describe('config reload', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;
  let header = '';
  const file = () => join(h.dir.path, 'test.ini');
  // No effects pool: two mpv per zone keep the start light on a shared machine.
  const section = (base: string, z: Zone) => [
    `[audio:${z.name}]`,
    `topic = ${base}/${z.name}`,
    'media_dir = .',
    'effects_pool_size = 0',
    ...(z.keys ?? []),
  ];
  const ini = (zones: Zone[]) => [header, ...zones.flatMap((z) => section(h.base, z))].join('\n');
  const health = async (): Promise<Array<{ zone: string; state: string; worker_pid: number; mpv_pids: number[] }>> =>
    (await h.sys({ command: 'health_check' })).result.zones;
  const reloadStatuses = (id: string) =>
    h.probe.messages
      .filter(
        (m) => m.topic === `${h.base}/system/events` && m.json?.type === 'system_reload_status' && m.json?.id === id,
      )
      .map((m) => m.json);

  beforeAll(async () => {
    h = await zoneHarness(`mpvl${randomBytes(3).toString('hex')}`, (port, media, base) => {
      header = testConfig({
        port,
        mediaDir: media,
        zones: [],
        base,
        extra: 'warm_spares = 0\nstartup_timeout_ms = 30000',
      });
      return [header, ...['keep', 'change', 'vol', 'gone'].flatMap((z) => section(base, { name: z }))].join('\n');
    });
    for (const z of ['keep', 'change', 'vol', 'gone']) await h.ready(z, 0, 90_000);
    for (const z of ['keep', 'change'])
      expect((await h.cmd(z, { command: 'playBackground', file: 'tone-220.wav', loop: true })).outcome).toBe('success');
    await h.playing('keep', 30_000);
    await h.playing('change', 30_000);
  }, 200_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('adds, removes, restarts and changes zones in place; the unchanged zone never stalls and keeps its pids', async () => {
    const before = await health();
    const keep = before.find((z) => z.zone === 'keep')!;
    const vol = before.find((z) => z.zone === 'vol')!;
    const change = before.find((z) => z.zone === 'change')!;
    writeFileSync(
      file(),
      ini([
        { name: 'keep' },
        { name: 'change', keys: ['ducking_adjust = -25'] },
        { name: 'vol', keys: ['volume = 55'] },
        { name: 'fresh' },
      ]),
    );

    // mpv's own time-pos of the unchanged zone, every ~50 ms; mpv read it somewhere within each round trip.
    const samples: Array<{ sent: number; got: number; pos: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const sent = performance.now();
        const r = await h.prop('keep', 'background', 'time-pos');
        samples.push({ sent, got: performance.now(), pos: r.value as number });
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    const changePos = (await h.prop('change', 'background', 'time-pos')).value as number;
    const id = `reload-${randomBytes(3).toString('hex')}`;
    const r = await h.sys({ command: 'reload_config', id }, 45_000);
    await new Promise((res) => setTimeout(res, 300));
    sampling = false;
    await sampler;

    expect(r).toMatchObject({ outcome: 'success', command: 'reload_config' });
    expect(r.result).toMatchObject({
      added: ['fresh'],
      removed: ['gone'],
      restarted: ['change'],
      changed_in_place: ['vol'],
      unchanged: ['keep'],
    });
    expect(reloadStatuses(id).map((s) => s.phase)).toEqual(['starting', 'validated', 'applying', 'complete']);

    // A stall is mpv's clock falling behind the wall clock between two reads. At least (next request
    // sent - previous reply received) passed between them: that much minus what time-pos moved is a
    // stall for certain, whatever the round trips cost on a loaded machine. The midpoint estimate
    // (round-trip noise included) is printed beside it.
    let certain = 0;
    let estimate = 0;
    for (let i = 1; i < samples.length; i++) {
      const [a, b] = [samples[i - 1]!, samples[i]!];
      const media = circular(b.pos - a.pos) * 1000;
      certain = Math.max(certain, b.sent - a.got - media);
      estimate = Math.max(estimate, (b.sent + b.got) / 2 - (a.sent + a.got) / 2 - media);
    }
    expect(samples.length).toBeGreaterThan(5);
    process.stdout.write(
      `reload: ${samples.length} time-pos samples of the unchanged zone; worst stall ${Math.round(certain)} ms certain, ${Math.round(estimate)} ms by round-trip midpoints; reload ${r.duration_ms} ms\n`,
    );
    expect(certain).toBeLessThan(100);

    const after = await health();
    expect(after.map((z) => z.zone).sort()).toEqual(['change', 'fresh', 'keep', 'vol']);
    const keepAfter = after.find((z) => z.zone === 'keep')!;
    expect(keepAfter.worker_pid).toBe(keep.worker_pid);
    expect(keepAfter.mpv_pids.sort()).toEqual(keep.mpv_pids.sort());
    expect(after.find((z) => z.zone === 'vol')!.worker_pid).toBe(vol.worker_pid);
    expect((await h.state('vol')).volume).toBe(55);
    expect(after.find((z) => z.zone === 'change')!.worker_pid).not.toBe(change.worker_pid);
    const resumed = await h.playing('change', 30_000);
    expect(Math.abs(circular(resumed.value - changePos))).toBeLessThan(3);
    expect((await h.cmd('fresh', { command: 'getState' })).outcome).toBe('success');
    expect(r.result.topics.unsubscribed).toEqual([`${h.base}/gone/commands`]);
  }, 90_000);

  it('an invalid file changes nothing and names every problem with section, key and line', async () => {
    const before = await health();
    writeFileSync(
      file(),
      ini([
        { name: 'keep', keys: ['volume = 500'] },
        { name: 'other', keys: ['max_volume = loud'] },
      ]),
    );
    const r = await h.sys({ command: 'reload_config' }, 30_000);
    expect(r).toMatchObject({ outcome: 'failed', error_type: 'config_error' });
    const problems = r.result.problems as Array<{ section: string; key: string; line: number }>;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ section: 'audio:keep', key: 'volume', line: expect.any(Number) }),
        expect.objectContaining({ section: 'audio:other', key: 'max_volume', line: expect.any(Number) }),
      ]),
    );
    const after = await health();
    expect(after).toEqual(before);
  }, 30_000);

  it('`mpvisor reload FILE` streams the phases; an invalid file exits 1 with every problem on stderr', async () => {
    const bad = join(h.dir.path, 'bad.ini');
    writeFileSync(bad, ini([{ name: 'keep', keys: ['volume = 500'] }]));
    const failed = spawnSync(process.execPath, [cliPath, 'reload', bad, '--run-dir', h.sup.runDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/^reload starting/m);
    expect(failed.stdout).toMatch(/^reload failed/m);
    expect(failed.stdout).toMatch(/audio:keep\.volume \(line \d+\)/);
    expect(failed.stderr).toContain('config_error');
    // The running file again as the first test left it: nothing to change.
    writeFileSync(
      file(),
      ini([
        { name: 'keep' },
        { name: 'change', keys: ['ducking_adjust = -25'] },
        { name: 'vol', keys: ['volume = 55'] },
        { name: 'fresh' },
      ]),
    );
    const ok = spawnSync(process.execPath, [cliPath, 'reload', '--run-dir', h.sup.runDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(
      ok.stdout
        .split('\n')
        .map((l) => /^reload (\w+)/.exec(l)?.[1])
        .filter(Boolean),
    ).toEqual(['starting', 'validated', 'applying', 'complete']);
  }, 120_000);

  it('SIGHUP reloads the file the supervisor runs from', async () => {
    writeFileSync(
      file(),
      ini([
        { name: 'keep' },
        { name: 'change', keys: ['ducking_adjust = -25'] },
        { name: 'vol', keys: ['volume = 55'] },
      ]),
    );
    const since = Date.now();
    process.kill(h.sup.pid, 'SIGHUP');
    // The CLI reload of the previous test is published too, possibly late: this one is told by what it removed.
    const done = await h.probe.waitFor(
      `${h.base}/system/events`,
      (m) => m.json?.type === 'command' && m.json?.command === 'reload_config' && m.json?.result?.removed?.length > 0,
      45_000,
      since,
    );
    expect(done.json).toMatchObject({
      outcome: 'success',
      result: { removed: ['fresh'], unchanged: ['keep', 'change', 'vol'] },
    });
    expect((await health()).map((z) => z.zone).sort()).toEqual(['change', 'keep', 'vol']);
    expect(h.sup.child.exitCode).toBeNull();
  }, 60_000);

  it('an [mqtt] change reconnects to the new broker; zones keep their pids', async () => {
    const dir2 = join(h.dir.path, 'broker2');
    mkdirSync(dir2);
    const broker2 = await startMosquitto({ dir: dir2 });
    const probe2 = await MqttProbe.connect(broker2.url);
    try {
      await probe2.subscribe(`${h.base}/#`);
      const before = await health();
      const zones = [
        { name: 'keep' },
        { name: 'change', keys: ['ducking_adjust = -25'] },
        { name: 'vol', keys: ['volume = 55'] },
      ];
      writeFileSync(file(), ini(zones).replace(`port = ${h.broker.port}`, `port = ${broker2.port}`));
      const since = Date.now();
      const r = spawnSync(process.execPath, [cliPath, 'reload', '--json', '--run-dir', h.sup.runDir], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(0);
      const outcome = JSON.parse(r.stdout);
      expect(outcome.result).toMatchObject({
        mqtt_changed: expect.arrayContaining(['mqtt.port']),
        progress: { mqtt_reconnected: true },
        unchanged: ['keep', 'change', 'vol'],
      });
      // The old broker was told offline; the new one gets availability and the retained states.
      await h.probe.waitFor(`${h.base}/test/availability`, (m) => m.payload.toString() === 'offline', 10_000, since);
      await probe2.waitFor(`${h.base}/test/availability`, (m) => m.payload.toString() === 'online', 10_000);
      await probe2.waitFor(`${h.base}/keep/state`, (m) => m.json?.state === 'ready', 10_000);
      const viaNew = await probe2.command(`${h.base}/keep/commands`, `${h.base}/keep/events`, { command: 'getState' });
      expect(viaNew.outcome).toBe('success');
      const after = await probe2.command(`${h.base}/system/commands`, `${h.base}/system/events`, {
        command: 'health_check',
      });
      expect(after.result.zones.map((z: { worker_pid: number }) => z.worker_pid)).toEqual(
        before.map((z) => z.worker_pid),
      );
    } finally {
      await probe2.close();
      await broker2.stop();
    }
  }, 90_000);
});
