import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAlive, waitFor } from '@mpvisor/testkit';
import { startHarness, type Harness } from './harness.js';
import { verifyBrowser } from './pfx-client.js';
import { missingScreenTools, processesWithArg, startXvfb, type Xvfb } from './xvfb.js';

// A real kiosk Chromium and a real mpv window on a private Xvfb; what is on screen is read from screenshots.
const B = 'pfxb';
const Z = 'wall';
const RED: [number, number, number] = [255, 0, 0];
const isRed = ([r, g, b]: number[]) => r! > 200 && g! < 40 && b! < 40;

const missing = missingScreenTools();
if (missing.length > 0)
  process.stderr.write(
    `paradoxfx-browser: skipped, missing ${missing.join(', ')} (scripts/setup.sh test installs them)\n`,
  );

(missing.length > 0 ? describe.skip : describe)('ParadoxFX browser of a screen zone: kiosk Chromium under Xvfb', () => {
  let x: Xvfb;
  let h: Harness;
  let url: string;
  let profileArg: string;
  const cmd = (body: object) => h.cmd(Z, body, 40_000);
  const state = () => h.probe.waitFor(`${B}/${Z}/state`).then((m) => m.json);
  const center = () => x.pixel(160, 120);

  beforeAll(async () => {
    x = await startXvfb(320, 240);
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
    writeFileSync(
      join(h.media, 'red.html'),
      '<!doctype html><html><body style="margin:0;background:#ff0000"></body></html>',
    );
    url = pathToFileURL(join(h.media, 'red.html')).href;
    profileArg = `--user-data-dir=${join(h.sup.runDir, `browser-${Z}`)}`;
    await h.probe.waitFor(`${B}/${Z}/state`, (m) => m.json?.state === 'ready', 45_000);
  }, 90_000);

  afterAll(async () => {
    try {
      await h?.close();
    } finally {
      await x?.stop();
    }
  }, 30_000);

  it("enableBrowser starts Chromium hidden; showBrowser puts the page on screen, hideBrowser shows mpv's image", async () => {
    await waitFor(() => !isRed(center()) && center().some((c) => c > 0), 10_000, "mpv's image on screen");
    const mpvPixel = center();
    const enabled = await cmd({ command: 'enableBrowser', url });
    expect(enabled).toMatchObject({
      outcome: 'success',
      result: { enabled: true, url, focused: false, process_id: expect.any(Number), window_id: expect.any(String) },
    });
    expect(isRed(center())).toBe(false);
    const ledger = JSON.parse(readFileSync(join(h.sup.stateDir, 'ledger.json'), 'utf8'));
    expect(ledger.processes).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: 'browser', zone: Z, pid: enabled.result.process_id })]),
    );
    expect((await cmd({ command: 'showBrowser' })).outcome).toBe('success');
    await waitFor(() => isRed(center()), 10_000, 'the page on screen');
    expect(center()).toEqual(RED);
    expect((await cmd({ command: 'hideBrowser' })).outcome).toBe('success');
    await waitFor(() => !isRed(center()), 10_000, "mpv's image back on screen");
    expect(center()).toEqual(mpvPixel);
  }, 60_000);

  it("PxO's verifyBrowser passes against the state, and the heartbeat says the browser has the screen", async () => {
    const t = Date.now();
    expect(await verifyBrowser(h.probe, `${B}/${Z}`, url, true)).toMatchObject({ success: true });
    const s = await state();
    expect(s.browser).toMatchObject({ enabled: true, url, focused: true, window_id: expect.any(String) });
    const hb = await h.probe.waitFor(
      `${B}/heartbeat`,
      (m) => m.json?.zones?.[`screen:${Z}`]?.focus === 'browser',
      10_000,
      t,
    );
    expect(hb.json.zones[`screen:${Z}`]).toMatchObject({ browser_enabled: true, content: url });
  }, 40_000);

  it('a killed Chromium comes back (same page, still shown); killing the zone leaves no Chromium behind', async () => {
    const before = (await state()).browser;
    const t = Date.now();
    process.kill(before.process_id, 'SIGKILL');
    const back = await h.probe.waitFor(
      `${B}/${Z}/state`,
      (m) => m.json?.browser?.process_id && m.json.browser.process_id !== before.process_id && m.json.browser.window_id,
      30_000,
      t,
    );
    expect(back.json.browser).toMatchObject({ enabled: true, url, focused: true });
    await waitFor(() => isRed(center()), 10_000, 'the page on screen again');
    const worker = (await state()).pid as number;
    const chromium = processesWithArg(profileArg);
    expect(chromium.length).toBeGreaterThan(0);
    process.kill(worker, 'SIGKILL');
    await waitFor(
      () => chromium.every((p) => !isAlive(p)) && processesWithArg(profileArg).length === 0,
      10_000,
      'no Chromium of the zone left',
    );
    await h.probe
      .waitFor(`${B}/${Z}/state`, (m) => m.json?.state === 'ready' && m.json?.pid !== worker, 60_000, t)
      .catch((err: Error) => {
        throw new Error(
          `${err.message}\n${h.sup
            .output()
            .split('\n')
            .filter((l) => /"(warn|error)"/.test(l) && !/^\s*at /.test(l))
            .slice(-12)
            .join('\n')}`,
        );
      });
    expect((await state()).browser).toMatchObject({ enabled: false });
  }, 120_000);

  it('sleepScreen on Xvfb (no DPMS, an output RandR cannot switch off) fails naming both; the screen stays on', async () => {
    const slept = await cmd({ command: 'sleepScreen' });
    expect(slept).toMatchObject({ outcome: 'failed', error_type: 'display_power_failed' });
    expect(slept.message).toMatch(/DPMS through xset on :\d+: the X server has no DPMS extension/);
    expect(slept.message).toMatch(/RandR through xrandr on :\d+: xrandr --output screen --off exited \d+/);
    expect((await state()).screen_power).toBe('on');
  }, 30_000);

  it('disableBrowser stops every Chromium process of the zone; file: pages are media files of the zone', async () => {
    expect((await cmd({ command: 'enableBrowser', url })).outcome).toBe('success');
    expect(processesWithArg(profileArg).length).toBeGreaterThan(0);
    expect((await cmd({ command: 'disableBrowser' })).outcome).toBe('success');
    expect(processesWithArg(profileArg)).toEqual([]);
    // A file: page is a media file: /etc/hostname is looked up inside the media folder, never on the host.
    expect(await cmd({ command: 'enableBrowser', url: 'file:///etc/hostname' })).toMatchObject({
      outcome: 'failed',
      error_type: 'file_not_found',
    });
    expect(await cmd({ command: 'enableBrowser', url: 'javascript:alert(1)' })).toMatchObject({
      outcome: 'invalid',
      error_type: 'invalid_argument',
    });
    expect(await cmd({ command: 'showBrowser' })).toMatchObject({ outcome: 'failed', error_type: 'browser_error' });
    expect((await cmd({ command: 'hideBrowser' })).outcome).toBe('success');
  }, 60_000);

  it('a SIGKILLed supervisor leaves no Chromium behind: the worker kills it as it exits', async () => {
    expect((await cmd({ command: 'enableBrowser', url })).outcome).toBe('success');
    const chromium = processesWithArg(profileArg);
    expect(chromium.length).toBeGreaterThan(0);
    process.kill(h.sup.pid, 'SIGKILL');
    await waitFor(
      () => processesWithArg(profileArg).length === 0 && chromium.every((p) => !isAlive(p)),
      10_000,
      'no Chromium of the zone left',
    );
  }, 60_000);
});
