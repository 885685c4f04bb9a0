// A venue of 20 real supervisors (one zone each, no spares) on two bridged Mosquittos, 10 on each, and
// the console on the first: the page lists all 20 nodes within 3 s of opening, shows a SIGKILLed
// supervisor (on the far broker) offline within 1.5 x its keepalive, and `mpvisor fleet send` gets 20 outcomes.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'puppeteer-core';
import { ensureDemoMedia } from '@mpvisor/config';
import {
  cliPath,
  MqttProbe,
  startMosquitto,
  startSupervisor,
  tempDir,
  type Mosquitto,
  type SupervisorProcess,
} from '@mpvisor/testkit';
import { launchChromium, leanConfig, startConsole, type ConsoleProcess } from './console-harness.js';

const NODES = 20;
// At most BATCH supervisors start at once, the next as soon as one is ready. The suites run one at a time,
// so a load average read here is the suite before's, gone by now; choosing 2 lanes by it after a heavy
// suite made the set-up 46 s in a whole run, against 35 s with 4 lanes (32 s with 5) right after another.
const BATCH = 4;
const KEEPALIVE_S = 4;
const name = (i: number) => `n${String(i + 1).padStart(2, '0')}`;
const base = (i: number) => `venue/${name(i)}`;

let dir: ReturnType<typeof tempDir>;
let near: Mosquitto;
let far: Mosquitto;
let probe: MqttProbe;
const sups: SupervisorProcess[] = [];
let con: ConsoleProcess;
let browser: Browser;

beforeAll(async () => {
  dir = tempDir('cfleet');
  const media = join(dir.path, 'media');
  mkdirSync(media, { recursive: true });
  await ensureDemoMedia(media);
  mkdirSync(join(dir.path, 'near'));
  mkdirSync(join(dir.path, 'far'));
  near = await startMosquitto({ dir: join(dir.path, 'near') });
  far = await startMosquitto({
    dir: join(dir.path, 'far'),
    extra: [
      'connection near',
      `address 127.0.0.1:${near.port}`,
      'topic venue/# both 1',
      'cleansession true',
      'restart_timeout 1',
      'try_private true',
    ],
  });
  probe = await MqttProbe.connect(near.url);
  await probe.subscribe('venue/#');
  const start = async (i: number) => {
    const broker = i < NODES / 2 ? near : far;
    const d = join(dir.path, name(i));
    mkdirSync(d);
    sups[i] = startSupervisor({
      dir: d,
      config: leanConfig({
        port: broker.port,
        mediaDir: media,
        base: base(i),
        zones: ['main'],
        keepalive: KEEPALIVE_S,
      }),
    });
    await probe
      .waitFor(`${base(i)}/main/state`, (m) => m.json?.state === 'ready', 90_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${name(i)} said:\n${sups[i]!.output().slice(-3000)}`);
      });
  };
  // BATCH lanes: each starts its next supervisor as soon as its last one is ready.
  let next = 0;
  await Promise.all(
    [...Array(BATCH)].map(async () => {
      while (next < NODES) await start(next++);
    }),
  );
  con = await startConsole(['--mqtt', near.url]);
  browser = await launchChromium(dir.path);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await con?.stop();
  for (let first = 0; first < sups.length; first += BATCH)
    await Promise.all(sups.slice(first, first + BATCH).map((s) => s?.stop(20_000)));
  await probe?.close();
  await far?.stop();
  await near?.stop();
  dir?.remove();
}, 300_000);

test('all 20 nodes appear on the page within 3 s of it opening', async () => {
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  const opened = Date.now();
  await page.goto(con.url);
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('.node .node-online[data-state="online"]').length === n &&
      document.querySelectorAll('.zone[data-state="ready"]').length === n,
    { timeout: 10_000, polling: 'mutation' },
    NODES,
  );
  expect(Date.now() - opened).toBeLessThan(3000);
  await page.close();
}, 30_000);

test('`mpvisor fleet status` lists 20 nodes online, `mpvisor fleet send` reaches all 20 with 20 outcomes', async () => {
  const status = JSON.parse(
    (
      await promisify(execFile)(process.execPath, [cliPath, 'fleet', 'status', '--mqtt', near.url, '--json'], {
        timeout: 60_000,
      })
    ).stdout,
  ) as {
    nodes: Array<{ id: string; online: boolean }>;
    zones: Array<{ node: string; state: { state: string } }>;
  };
  expect(
    status.nodes
      .filter((n) => n.online)
      .map((n) => n.id)
      .sort(),
  ).toEqual([...Array(NODES).keys()].map((i) => `${base(i)}/test`));
  expect(status.zones.filter((z) => z.state.state === 'ready')).toHaveLength(NODES);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cliPath, 'fleet', 'send', '--mqtt', near.url, '--json', '{"command":"status"}'],
    { timeout: 60_000 },
  );
  const results = JSON.parse(stdout) as Array<{ target: string; topic: string; outcome: { outcome: string } }>;
  expect(results).toHaveLength(NODES);
  expect(new Set(results.map((r) => r.topic))).toEqual(
    new Set([...Array(NODES).keys()].map((i) => `${base(i)}/system`)),
  );
  expect(results.every((r) => r.outcome.outcome === 'success')).toBe(true);
}, 90_000);

test('SIGKILL of a supervisor on the far broker shows it offline within 1.5 x its keepalive', async () => {
  const page = await browser.newPage();
  await page.goto(con.url);
  const victim = 14;
  const card = `.node[data-node="${base(victim)}/test"] .node-online`;
  await page.waitForSelector(`${card}[data-state="online"]`, { timeout: 10_000 });
  const killed = Date.now();
  sups[victim]!.child.kill('SIGKILL');
  await page.waitForSelector(`${card}[data-state="offline"]`, { timeout: 1.5 * KEEPALIVE_S * 1000 + 2000 });
  expect(Date.now() - killed).toBeLessThan(1.5 * KEEPALIVE_S * 1000);
  await page.close();
}, 60_000);
