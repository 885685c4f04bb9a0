import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mpvisor/testkit';
import { startHarness, type Harness } from './harness.js';
import type { Xvfb } from './xvfb.js';
import { missingXvncTools, startXvnc, XVNC, xrandrGeometry } from './xvnc.js';

// A screen zone on a real X server whose output RandR can switch (TigerVNC's Xvnc; Xvfb refuses and has no
// DPMS, and no DPMS-capable server runs without a GPU). Each switch is checked with xrandr, the server's own
// tool, and the picture with a screenshot.
const B = 'scrp';
const Z = 'wall';
const OUTPUT = 'VNC-0';

const missing = missingXvncTools();
if (missing.length > 0)
  process.stderr.write(
    `screen-power: skipped, missing ${missing.join(', ')} (apt-get install tigervnc-standalone-server x11-xserver-utils x11-apps)\n`,
  );

(missing.length > 0 ? describe.skip : describe)(`screen power of a screen zone on ${XVNC}`, () => {
  let x: Xvfb;
  let h: Harness;
  const cmd = (body: object) => h.cmd(Z, body, 20_000);
  const stateWith = (power: string, since: number) =>
    h.probe.waitFor(`${B}/${Z}/state`, (m) => m.json?.screen_power === power, 5000, since).then((m) => m.json);
  const lit = () => x.pixel(160, 120).some((c) => c > 0);

  beforeAll(async () => {
    x = await startXvnc(320, 240);
    const zone = [
      `[screen:${Z}]`,
      `topic = ${B}/${Z}`,
      'media_dir = .',
      `display = ${x.display}`,
      'default_image = still.png',
      'effects_pool_size = 0',
      'mpv_video_options = --vo=x11 --geometry=320x240+0+0 --no-border',
    ];
    h = await startHarness({
      base: B,
      zones: [],
      extra: ['startup_timeout_ms = 30000', 'heartbeat_timeout_ms = 10000', 'warm_spares = 0', ...zone].join('\n'),
    });
    await h.probe.waitFor(`${B}/${Z}/state`, (m) => m.json?.state === 'ready' && m.json?.screen_power === 'on', 45_000);
  }, 90_000);

  afterAll(async () => {
    try {
      await h?.close();
    } finally {
      await x?.stop();
    }
  }, 30_000);

  it('sleepScreen switches the output off as xrandr reports it; wakeScreen gives back its mode and place', async () => {
    expect(xrandrGeometry(x.display, OUTPUT)).toBe('320x240+0+0');
    await waitFor(lit, 10_000, "mpv's image on screen");

    const asked = Date.now();
    const slept = await cmd({ command: 'sleepScreen' });
    expect(slept).toMatchObject({ outcome: 'success', result: { screen_power: 'off', method: 'randr' } });
    expect(xrandrGeometry(x.display, OUTPUT)).toBeNull();
    expect(await stateWith('off', asked)).toMatchObject({ status: 'screen_asleep' });
    await h.probe.waitFor(`${B}/${Z}/events`, (m) => m.json?.screen_sleep === true, 5000, asked);

    const waking = Date.now();
    const woke = await cmd({ command: 'wakeScreen' });
    expect(woke).toMatchObject({ outcome: 'success', result: { screen_power: 'on', method: 'randr' } });
    expect(xrandrGeometry(x.display, OUTPUT)).toBe('320x240+0+0');
    expect(await stateWith('on', waking)).toMatchObject({ status: 'showing_image' });
    await h.probe.waitFor(`${B}/${Z}/events`, (m) => m.json?.screen_wake === true, 5000, waking);
  }, 60_000);

  it('recoverScreens after a sleep switches the output on and shows the picture again', async () => {
    expect((await cmd({ command: 'sleepScreen' })).outcome).toBe('success');
    expect(xrandrGeometry(x.display, OUTPUT)).toBeNull();
    expect(await cmd({ command: 'recoverScreens' })).toMatchObject({
      outcome: 'success',
      result: { screen_power: 'on' },
    });
    expect(xrandrGeometry(x.display, OUTPUT)).toBe('320x240+0+0');
    await waitFor(lit, 10_000, "mpv's image on screen again");
  }, 60_000);

  it('a second wakeScreen is a success and leaves the output as it is', async () => {
    expect(await cmd({ command: 'wakeScreen' })).toMatchObject({ outcome: 'success', result: { screen_power: 'on' } });
    expect(xrandrGeometry(x.display, OUTPUT)).toBe('320x240+0+0');
  }, 30_000);

  it('wakeScreen gives back the mode the output had before the sleep, not its preferred one', async () => {
    execFileSync('xrandr', ['-display', x.display, '--output', OUTPUT, '--mode', '640x480'], { timeout: 10_000 });
    expect(xrandrGeometry(x.display, OUTPUT)).toBe('640x480+0+0');
    expect((await cmd({ command: 'sleepScreen' })).outcome).toBe('success');
    expect(xrandrGeometry(x.display, OUTPUT)).toBeNull();
    expect((await cmd({ command: 'wakeScreen' })).outcome).toBe('success');
    expect(xrandrGeometry(x.display, OUTPUT)).toBe('640x480+0+0');
  }, 30_000);
});
