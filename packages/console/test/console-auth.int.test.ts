// Login on a real console process in Chromium: a wrong password is refused, the right one opens the page;
// the stream and actions refuse requests without a session; an open bind without a password is refused.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { cliPath, startMosquitto, tempDir, type Mosquitto } from '@mpvisor/testkit';
import { launchChromium, startConsole, type ConsoleProcess } from './console-harness.js';

const PASSWORD = 'correct horse battery';
let dir: ReturnType<typeof tempDir>;
let broker: Mosquitto;
let con: ConsoleProcess;
let browser: Browser;
let configFile: string;

beforeAll(async () => {
  dir = tempDir('cauth');
  broker = await startMosquitto({ dir: dir.path });
  const hashed = spawnSync(process.execPath, [cliPath, 'console', 'hash-password'], {
    input: `${PASSWORD}\n`,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(hashed.status).toBe(0);
  const hash = hashed.stdout.trim();
  expect(hash).toMatch(/^scrypt\$/);
  expect(hash).not.toContain(PASSWORD);
  configFile = join(dir.path, 'console.json');
  writeFileSync(configFile, JSON.stringify({ password_hash: hash, session_ttl_s: 600, mqtt: { url: broker.url } }));
  con = await startConsole(['--console-config', configFile]);
  browser = await launchChromium(dir.path);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await con?.stop();
  await broker?.stop();
  dir?.remove();
}, 30_000);

test('without a session the stream and actions answer 401', async () => {
  expect((await fetch(`${con.url}api/events`)).status).toBe(401);
  const action = await fetch(`${con.url}api/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"action":"venue_stop_audio"}',
  });
  expect(action.status).toBe(401);
});

test('a wrong password is refused on the page; the right one opens it', async () => {
  const page = await browser.newPage();
  await page.goto(con.url);
  await page.waitForSelector('#login-form', { visible: true, timeout: 10_000 });
  await page.type('#login-form input[name=operator]', 'anna');
  await page.type('#login-form input[name=password]', 'not the password');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('login-error')!.textContent === 'wrong password', {
    timeout: 10_000,
  });
  expect(await page.$eval('#main', (e) => (e as HTMLElement).hidden)).toBe(true);

  await page.$eval('#login-form input[name=password]', (e) => ((e as HTMLInputElement).value = ''));
  await page.type('#login-form input[name=password]', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#main', { visible: true, timeout: 10_000 });
  await page.waitForSelector('#link[data-state="online"]', { timeout: 10_000 });
  expect(await page.$eval('#operator', (e) => e.textContent)).toBe('operator: anna');
  const cookie = (await browser.cookies()).find((c) => c.name === 'mpvisor_console')!;
  expect(cookie.httpOnly).toBe(true);
  // With the session an action is judged on its merits: nothing to stop on an empty broker.
  const res = await fetch(`${con.url}api/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `mpvisor_console=${cookie.value}` },
    body: '{"action":"venue_stop_audio"}',
  });
  expect(res.status).toBe(409);
  await page.close();
}, 60_000);

test('another bind address without a password hash is refused at start (exit 2)', () => {
  const r = spawnSync(
    process.execPath,
    [cliPath, 'console', '--bind', '0.0.0.0', '--port', '0', '--mqtt', broker.url],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('password_hash is required');
}, 40_000);
