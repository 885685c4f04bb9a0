// The console page in Debian's Chromium against a real Mosquitto and a real supervisor: it lists the node
// and zones, follows a killed worker live, plays, resets with streaming phases; screenshots for the docs.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { ensureDemoMedia } from '@mpvisor/config';
import {
  MqttProbe,
  repoRoot,
  startMosquitto,
  startSupervisor,
  tempDir,
  waitFor,
  type Mosquitto,
  type SupervisorProcess,
} from '@mpvisor/testkit';
import {
  launchChromium,
  leanConfig,
  recordZoneStates,
  startConsole,
  zoneStates,
  type ConsoleProcess,
} from './console-harness.js';

const BASE = 'room1';
const NODE = `${BASE}/test`;
const LOBBY = `${BASE}/lobby`;
const images = join(repoRoot, 'docs', 'images');

let dir: ReturnType<typeof tempDir>;
let broker: Mosquitto;
let probe: MqttProbe;
let sup: SupervisorProcess;
let con: ConsoleProcess;
let browser: Browser;
let page: Page;

const zoneRow = (topic: string) => `.zone[data-zone="${topic}"]`;
const loaded = async () => {
  await page.waitForSelector(`.node[data-node="${NODE}"] .node-online[data-state="online"]`, { timeout: 10_000 });
  await page.waitForSelector('#link[data-state="online"]', { timeout: 10_000 });
  await page.waitForSelector(`${zoneRow(LOBBY)} .zone-state`, { timeout: 10_000 });
};

beforeAll(async () => {
  dir = tempDir('cpage');
  const media = join(dir.path, 'media');
  mkdirSync(media, { recursive: true });
  await ensureDemoMedia(media);
  broker = await startMosquitto({ dir: dir.path });
  probe = await MqttProbe.connect(broker.url);
  await probe.subscribe(`${BASE}/#`);
  sup = startSupervisor({
    dir: dir.path,
    config: leanConfig({ port: broker.port, mediaDir: media, zones: ['lobby', 'vault'], base: BASE }),
  });
  for (const z of ['lobby', 'vault'])
    await probe.waitFor(`${BASE}/${z}/state`, (m) => m.json?.state === 'ready', 60_000);
  con = await startConsole(['--mqtt', broker.url]);
  browser = await launchChromium(dir.path);
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await con?.stop();
  await sup?.stop();
  await probe?.close();
  await broker?.stop();
  dir?.remove();
}, 60_000);

describe('console page', () => {
  test('lists the node (online) and its zones (ready)', async () => {
    await page.goto(con.url);
    await page.waitForSelector(`.node[data-node="${NODE}"] .node-online[data-state="online"]`, { timeout: 10_000 });
    await page.waitForSelector(`${zoneRow(LOBBY)}[data-state="ready"]`, { timeout: 10_000 });
    await page.waitForSelector(`${zoneRow(`${BASE}/vault`)}[data-state="ready"]`, { timeout: 10_000 });
    expect(await page.$eval(`.node[data-node="${NODE}"] h2`, (e) => e.textContent)).toBe('test');
  }, 30_000);

  test('kill -9 of a zone worker: the page shows each state within 1 s of it on MQTT', async () => {
    await recordZoneStates(page);
    const before = await probe.waitFor(`${LOBBY}/state`, (m) => m.json?.state === 'ready');
    const pid = before.json.pid as number;
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await probe.waitFor(`${LOBBY}/state`, (m) => m.json?.state === 'ready' && m.json?.pid !== pid, 60_000, t0);
    // Each state change as MQTT delivered it (the periodic re-publish of an unchanged state is no change).
    const onMqtt: Array<{ state: string; at: number }> = [];
    let previous = 'ready';
    for (const m of probe.messages.filter((x) => x.topic === `${LOBBY}/state` && x.at >= t0)) {
      if (m.json?.state !== previous) onMqtt.push({ state: m.json.state as string, at: m.at });
      previous = m.json?.state;
    }
    expect(onMqtt.map((s) => s.state)).toContain('restarting');
    expect(onMqtt.at(-1)!.state).toBe('ready');
    await page.waitForFunction(
      (sel) => document.querySelector<HTMLElement>(sel)?.dataset.state === 'ready',
      { timeout: 5000 },
      zoneRow(LOBBY),
    );
    const onPage = (await zoneStates(page)).filter((s) => s.zone === LOBBY);
    for (const change of onMqtt) {
      const shown = onPage.find((p) => p.state === change.state && p.at >= change.at - 100);
      expect({ state: change.state, shown: shown !== undefined }).toEqual({ state: change.state, shown: true });
      const late = shown!.at - change.at >= 1000 ? { onMqtt, onPage } : false;
      expect({ state: change.state, late }).toEqual({ state: change.state, late: false });
    }
    await page.waitForFunction(() => document.getElementById('events')!.textContent!.includes('lobby crashed'), {
      timeout: 5000,
    });
    expect(await page.$eval(`${zoneRow(LOBBY)} .facts`, (e) => e.textContent)).toContain('SIGKILL');
  }, 90_000);

  test('play from the page; screenshots at desktop and phone size keep their landmarks', async () => {
    await page.type(`${zoneRow(LOBBY)} .play input`, 'tone-220.wav');
    await page.click(`${zoneRow(LOBBY)} .play-btn`);
    await page.waitForSelector('.action[data-action="play_background"][data-done="true"]', { timeout: 20_000 });
    expect(await page.$eval('.action[data-action="play_background"]', (e) => e.textContent)).toContain('success');
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('music tone-220.wav (playing)'),
      { timeout: 10_000 },
      `${zoneRow(LOBBY)} .playing`,
    );

    mkdirSync(images, { recursive: true });
    const visible = (sel: string) =>
      page.$eval(sel, (e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      });
    const box = (sel: string) =>
      page.$eval(sel, (e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width };
      });
    const landmarks = [
      '.bar h1',
      '#stop-venue',
      '#link',
      `.node[data-node="${NODE}"]`,
      zoneRow(LOBBY),
      `${zoneRow(LOBBY)} .zone-state`,
      `${zoneRow(LOBBY)} .reset-btn`,
      '#actions',
      '#events',
    ];

    await page.setViewport({ width: 1280, height: 800 });
    await page.screenshot({ path: join(images, 'console-desktop.png') });
    for (const sel of landmarks) expect({ sel, visible: await visible(sel) }).toEqual({ sel, visible: true });
    const [nodesD, sideD] = [await box('#nodes'), await box('.side')];
    expect(sideD.x).toBeGreaterThan(nodesD.x + nodesD.w - 1);

    // A change of isMobile reloads the page: wait for the stream to fill it again.
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await loaded();
    await page.screenshot({ path: join(images, 'console-phone.png'), fullPage: true });
    for (const sel of landmarks) expect({ sel, visible: await visible(sel) }).toEqual({ sel, visible: true });
    const [nodesP, sideP] = [await box('#nodes'), await box('.side')];
    expect(sideP.y).toBeGreaterThan(nodesP.y);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.setViewport({ width: 1280, height: 800 });
    await loaded();
  }, 60_000);

  test('"Stop all audio" asks first, then stops every zone of every online node, one outcome each', async () => {
    await page.click('#stop-venue');
    await page.waitForSelector('#confirm[open]', { timeout: 5000 });
    expect(await page.$eval('#confirm-text', (e) => e.textContent)).toBe(
      'Stop all audio in every zone of 1 online node(s)?',
    );
    await page.click('#confirm-ok');
    await page.waitForSelector('.action[data-action="venue_stop_audio"][data-done="true"]', { timeout: 20_000 });
    const outcomes = await page.$$eval('.action[data-action="venue_stop_audio"] .command', (els) =>
      els.map((e) => [e.textContent!.split(' ')[0], e.className]),
    );
    expect(outcomes.sort()).toEqual([
      ['test/lobby', 'command outcome-success'],
      ['test/vault', 'command outcome-success'],
    ]);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === 'silent',
      { timeout: 10_000 },
      `${zoneRow(LOBBY)} .playing`,
    );
  }, 60_000);

  test('a node reset from the page asks first, then streams its phases to the outcome', async () => {
    await page.evaluate(() => {
      const w = window as unknown as { __resetTexts: string[] };
      w.__resetTexts = [];
      new MutationObserver(() => {
        const el = document.querySelector('.action[data-action="node_reset"]');
        if (el) w.__resetTexts.push(el.textContent ?? '');
      }).observe(document.getElementById('actions')!, { subtree: true, childList: true, characterData: true });
    });
    const t0 = Date.now();
    await page.click(`.node[data-node="${NODE}"] > .controls .reset-btn`);
    await page.waitForSelector('#confirm[open]', { timeout: 5000 });
    expect(await page.$eval('#confirm-text', (e) => e.textContent)).toContain('soft reset of every zone on test');
    await page.click('#confirm-ok');
    await page.waitForSelector('.action[data-action="node_reset"][data-done="true"]', { timeout: 90_000 });
    const final = await page.$eval('.action[data-action="node_reset"]', (e) => e.textContent ?? '');
    expect(final).toMatch(/starting.*complete/);
    expect(final).toContain('success');
    const texts = await page.evaluate(() => (window as unknown as { __resetTexts: string[] }).__resetTexts);
    // Phases were on the page while the outcome was still pending: streamed, not printed at the end.
    expect(texts.some((t) => t.includes('starting') && t.includes('waiting'))).toBe(true);
    const phases = probe.messages
      .filter((m) => m.topic === `${BASE}/system/events` && m.json?.type === 'system_reset_status' && m.at >= t0)
      .map((m) => m.json.phase);
    expect(phases).toEqual(expect.arrayContaining(['starting', 'complete']));
    await waitFor(() => page.$(`${zoneRow(LOBBY)}[data-state="ready"]`), 60_000, 'lobby ready again on the page');
    expect(con.output()).toMatch(/"operator":"local".*"action":"node_reset".*"event":"requested"/);
  }, 180_000);
});
