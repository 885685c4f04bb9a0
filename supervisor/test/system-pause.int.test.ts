import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { sleep, testConfig } from '@mpvisor/testkit';
import { circular, zoneHarness } from './zone-harness.js';

// System pause/resume against real workers and mpv: mpv's own time-pos freezes in every zone and moves
// again after resume; a zone paused by its own pauseAll stays paused; media commands wait for resume.

describe('system pause and resume', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;
  const zones = ['one', 'two', 'three'];
  const pos = async (zone: string) => (await h.prop(zone, 'background', 'time-pos')).value as number;
  const systemState = () => h.probe.messages.filter((m) => m.topic === `${h.base}/system/state`).at(-1)?.json?.state;

  beforeAll(async () => {
    // No effects pool and no spare: two mpv per zone keep the start light on a shared machine.
    h = await zoneHarness(`mpvp${randomBytes(3).toString('hex')}`, (port, media, base) =>
      [
        testConfig({ port, mediaDir: media, zones: [], base, extra: 'startup_timeout_ms = 30000\nwarm_spares = 0' }),
        ...zones.flatMap((z) => [`[audio:${z}]`, `topic = ${base}/${z}`, 'media_dir = .', 'effects_pool_size = 0']),
      ].join('\n'),
    );
    for (const z of zones) await h.ready(z, 0, 60_000);
    for (const z of zones)
      expect((await h.cmd(z, { command: 'playBackground', file: 'tone-220.wav', loop: true })).outcome).toBe('success');
    for (const z of zones) await h.playing(z, 30_000);
  }, 150_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('freezes time-pos in every zone, holds media commands, and resumes; a zone paused by pauseAll stays paused', async () => {
    expect((await h.cmd('three', { command: 'pauseAll' })).outcome).toBe('success');
    const paused = await h.sys({ command: 'pause' });
    expect(paused).toMatchObject({ outcome: 'success', command: 'pause' });
    expect(paused.result.paused.sort()).toEqual(['one', 'two']);
    expect(paused.result.already_paused).toEqual(['three']);
    await h.probe.waitFor(`${h.base}/system/state`, (m) => m.json?.state === 'paused', 5000);
    for (const z of zones) expect((await h.state(z)).paused_all).toBe(true);

    const frozen = await Promise.all(zones.map(pos));
    await sleep(700);
    const still = await Promise.all(zones.map(pos));
    for (let i = 0; i < zones.length; i++) expect(Math.abs(still[i]! - frozen[i]!)).toBeLessThan(0.05);

    const held = await h.cmd('one', { command: 'setVolume', volume: 40 });
    expect(held).toMatchObject({ outcome: 'warning', error_type: 'paused' });
    expect((await h.cmd('one', { command: 'getState' })).outcome).toBe('success');

    const resumed = await h.sys({ command: 'resume' });
    expect(resumed).toMatchObject({ outcome: 'success', command: 'resume' });
    expect(resumed.result.replayed).toEqual({ one: 1 });
    await h.probe.waitFor(`${h.base}/system/state`, (m) => m.json?.state === 'running', 5000);
    expect(systemState()).toBe('running');

    const a = await Promise.all(zones.map(pos));
    await sleep(700);
    const b = await Promise.all(zones.map(pos));
    expect(circular(b[0]! - a[0]!)).toBeGreaterThan(0.3);
    expect(circular(b[1]! - a[1]!)).toBeGreaterThan(0.3);
    expect(Math.abs(b[2]! - a[2]!)).toBeLessThan(0.05);
    expect((await h.state('one')).volume).toBe(40);
    expect((await h.cmd('three', { command: 'resumeAll' })).outcome).toBe('success');
  }, 60_000);

  it('a second pause is a warning and resume without pause is a warning', async () => {
    expect((await h.sys({ command: 'resume' })).outcome).toBe('warning');
    expect((await h.sys({ command: 'pause' })).outcome).toBe('success');
    expect((await h.sys({ command: 'pause' })).outcome).toBe('warning');
    expect((await h.sys({ command: 'resume' })).outcome).toBe('success');
  }, 30_000);
});
