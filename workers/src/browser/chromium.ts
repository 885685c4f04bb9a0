import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

/** The first Chromium on PATH (ParadoxFX tries the same names), or null. */
export function findChromium(envPath = process.env.PATH ?? ''): string | null {
  for (const name of CANDIDATES) {
    for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
      try {
        accessSync(path.join(dir, name), constants.X_OK);
        return path.join(dir, name);
      } catch {
        // next
      }
    }
  }
  return null;
}

export interface ChromiumLaunch {
  binary: string;
  url: string;
  display: string;
  /** Unique per zone and run: it names the profile and marks every Chromium process of this zone. */
  profileDir: string;
  windowClass: string;
}

/**
 * A kiosk Chromium in the worker's own process group, so the supervisor's group kill of a dead worker
 * takes it too. Root needs --no-sandbox (Chromium refuses to start otherwise).
 */
export function launchChromium(o: ChromiumLaunch): ChildProcess {
  const args = [
    '--kiosk',
    '--no-first-run',
    '--noerrdialogs',
    '--disable-infobars',
    '--disable-session-crashed-bubble',
    '--password-store=basic',
    `--user-data-dir=${o.profileDir}`,
    `--class=${o.windowClass}`,
    '--window-position=0,0',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    `--app=${o.url}`,
  ];
  return spawn(o.binary, args, { stdio: 'ignore', env: { ...process.env, DISPLAY: o.display } });
}

/**
 * Chromium's helpers (zygote, GPU, renderers) outlive a killed main process; each carries the zone's
 * --user-data-dir, which is how they are found and killed. Only processes with that exact profile match.
 */
export function killProfileProcesses(profileDir: string, signal: NodeJS.Signals): number {
  const marker = `--user-data-dir=${profileDir}`;
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!cmdline.includes(marker)) continue;
      process.kill(Number(entry), signal);
      killed++;
    } catch {
      // gone already, or not ours to read
    }
  }
  return killed;
}
