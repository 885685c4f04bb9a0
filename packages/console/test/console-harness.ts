// Shared by the console's browser and fleet tests: the console as a real child process, and Debian's
// Chromium driven by puppeteer-core (never a downloaded browser).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { cliPath, waitFor } from '@mpvisor/testkit';

export interface ConsoleProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** `mpvisor console ... --port 0`; resolves once it prints the address it listens on. */
export async function startConsole(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, [cliPath, 'console', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`console exited ${child.exitCode}: ${out}`);
      return /mpvisor console: (http:\/\/\S+\/)/.exec(out)?.[1];
    },
    60_000,
    'the console to listen',
    50,
  );
  return {
    child,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(dir: string): Promise<Browser> {
  const profile = join(dir, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    protocolTimeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Records, in the page, each change of a zone row's state with the wall-clock time it was drawn. */
export async function recordZoneStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __zoneStates: Array<{ zone: string; state: string; at: number }> };
    w.__zoneStates = [];
    const last = new Map<string, string>();
    const scan = () => {
      for (const row of document.querySelectorAll<HTMLElement>('.zone')) {
        const zone = row.dataset.zone!;
        const state = row.dataset.state!;
        if (last.get(zone) !== state) {
          last.set(zone, state);
          w.__zoneStates.push({ zone, state, at: Date.now() });
        }
      }
    };
    scan();
    new MutationObserver(scan).observe(document.getElementById('nodes')!, {
      subtree: true,
      childList: true,
      attributes: true,
    });
  });
}

export const zoneStates = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __zoneStates: Array<{ zone: string; state: string; at: number }> }).__zoneStates,
  );

/**
 * A lean node for these tests: audio zones on the null output, no warm spare, no effects pool, quiet
 * logs, slow periodic work (state changes are still published at once), and start-up bounds generous
 * enough for a machine shared with other test runs.
 */
export function leanConfig(o: {
  port: number;
  mediaDir: string;
  base: string;
  zones: string[];
  keepalive?: number;
}): string {
  return [
    '[mqtt]',
    'broker = 127.0.0.1',
    `port = ${o.port}`,
    `base_topic = ${o.base}`,
    'device_name = test',
    `keepalive = ${o.keepalive ?? 10}`,
    `client_id = mpvisor-${o.base.replaceAll('/', '-')}-${process.pid}`,
    '[global]',
    'log_level = warn',
    `media_base_path = ${o.mediaDir}`,
    'heartbeat_interval = 5000',
    `heartbeat_topic = ${o.base}/heartbeat`,
    '[system:main]',
    'warm_spares = 0',
    'startup_timeout_ms = 30000',
    'heartbeat_timeout_ms = 10000',
    'health_interval_ms = 3000',
    'reset_timeout = 60000',
    ...o.zones.flatMap((z) => [`[audio:${z}]`, `topic = ${o.base}/${z}`, 'media_dir = .', 'effects_pool_size = 0']),
  ].join('\n');
}
