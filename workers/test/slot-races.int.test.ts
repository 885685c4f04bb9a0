import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { descendants, sleep, waitFor } from '@mpvisor/testkit';
import { startHarness, type Harness } from './harness.js';

// Races on one mpv slot, read from mpv itself and from /proc: commands during a pending mpv restart, and
// a fade overtaken by later commands. Real mpv, Mosquitto and supervisor.
const B = 'mpvsr';
const Z = 'room';
const FADE_S = 3;

describe('one mpv and one fade per slot', () => {
  let h: Harness;
  const cmd = (body: object) => h.cmd(Z, body);
  const prop = (property: string) => h.prop(Z, 'background', property);
  const bgPid = async (): Promise<number> =>
    (await cmd({ command: 'getMpvProperty', role: 'background', property: 'idle-active' })).result.pid;

  /** The background mpv processes under the zone's worker, found by their command line. */
  const backgroundMpv = async (): Promise<number[]> => {
    const worker = (await cmd({ command: 'status' })).result.pid as number;
    return descendants(worker).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .includes('--audio-client-name=mpvisor-background');
      } catch {
        return false;
      }
    });
  };

  /** SIGKILL the background mpv; resolves with the backoff the worker chose before restarting it. */
  const killBackground = async (): Promise<number> => {
    const pid = await bgPid();
    const since = Date.now();
    process.kill(pid, 'SIGKILL');
    const crashed = await h.probe.waitFor(
      h.events(Z),
      (m) => m.json?.type === 'mpv' && m.json?.state === 'crashed',
      5000,
      since,
    );
    return crashed.json.detail.restart_in_ms as number;
  };

  beforeAll(async () => {
    // Generous watchdogs and waits: a shared machine under load starts mpv slowly and beats late.
    const extra = [
      'warm_spares = 0',
      'startup_timeout_ms = 30000',
      'heartbeat_timeout_ms = 15000',
      'max_restarts = 50',
    ].join('\n');
    h = await startHarness({ base: B, zones: [Z], extra });
    await h.probe.waitFor(`${B}/${Z}/state`, (m) => m.json?.state === 'ready', 100_000);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('commands during a pending mpv restart use the one restarted mpv, and stop stops it', async () => {
    expect((await cmd({ command: 'playBackground', file: 'tone-220.wav' })).outcome).toBe('success');
    // Crashes in quick succession grow the worker's backoff: kill until the restart waits long enough
    // for commands to arrive inside the window.
    let delay = 0;
    for (let i = 0; i < 6; i++) {
      const since = Date.now();
      delay = await killBackground();
      if (delay >= 300) break;
      await h.probe.waitFor(h.events(Z), (m) => m.json?.type === 'mpv' && m.json?.state === 'restarted', 10_000, since);
    }
    expect(delay).toBeGreaterThanOrEqual(300);
    const outcomes = await Promise.all([
      cmd({ command: 'playBackground', file: 'tone-330.wav' }),
      cmd({ command: 'stopBackground' }),
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['success', 'success']);
    // Past the restart the worker had scheduled, and past the resume that follows a restart.
    await sleep(delay + 1500);
    const running = await backgroundMpv();
    expect(running).toEqual([await bgPid()]);
    expect(await prop('idle-active')).toBe(true);
    expect((await cmd({ command: 'getState' })).result.background.status).toBe('stopped');
  }, 60_000);

  it('a fade-in is cancelled by a later volume change: mpv stays at the new volume', async () => {
    await cmd({ command: 'playBackground', file: 'tone-220.wav', volume: 100, fadeIn: FADE_S });
    await sleep(500);
    expect((await cmd({ command: 'setBackgroundMusicVolume', volume: 40 })).outcome).toBe('success');
    expect(await prop('volume')).toBe(40);
    await sleep(FADE_S * 1000);
    expect(await prop('volume')).toBe(40);
  }, 20_000);

  it('a fade-in is cancelled by a later duck: mpv stays at the ducked volume', async () => {
    await cmd({ command: 'playBackground', file: 'tone-220.wav', volume: 100, fadeIn: FADE_S });
    await sleep(500);
    // An explicit amount: ParadoxFX's default ducking_adjust is 0 (no audible duck).
    const ducked = await cmd({ command: 'duck', duck_id: 'fade-test', amount: -40 });
    expect(ducked.outcome).toBe('success');
    const target = ducked.result.background as number;
    expect(target).toBeLessThan(100);
    expect(await prop('volume')).toBe(target);
    await sleep(FADE_S * 1000);
    expect(await prop('volume')).toBe(target);
    await cmd({ command: 'unduck', duck_id: 'fade-test' });
  }, 20_000);

  it('a fade-in is cancelled by a later stop: mpv stops and its volume does not move on', async () => {
    // mpv restores the volume it had before the file when the file stops (loadfile options are per
    // file): an idle volume far from the fade's target shows a fade that went on after the stop.
    await cmd({ command: 'stopBackground' });
    await cmd({ command: 'setBackgroundMusicVolume', volume: 30 });
    expect(await prop('volume')).toBe(30);
    await cmd({ command: 'playBackground', file: 'tone-220.wav', volume: 100, fadeIn: FADE_S });
    await sleep(500);
    expect((await cmd({ command: 'stopBackground' })).outcome).toBe('success');
    // The restore happens when mpv has unloaded the file, a moment after the stop command returns.
    await waitFor(async () => (await prop('idle-active')) === true, 5000, 'mpv idle after the stop');
    const atStop = await prop('volume');
    expect(atStop).toBeLessThan(100);
    await sleep(FADE_S * 1000);
    expect(await prop('volume')).toBe(atStop);
    expect(await prop('idle-active')).toBe(true);
  }, 20_000);
});
