import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { waitFor } from '@mpvisor/testkit';

export interface Xvfb {
  display: string;
  /** The screen's pixel at (x, y) as [r, g, b], from an xwd screenshot of the root window. */
  pixel(x: number, y: number): [number, number, number];
  stop(): Promise<void>;
}

export const onPath = (cmd: string): boolean =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** What the screen and browser tests need and this machine lacks (scripts/setup.sh test installs them; Chromium only in CI). */
export function missingScreenTools(): string[] {
  const missing = ['Xvfb', 'xdotool', 'xwd', 'xset'].filter((c) => !onPath(c));
  if (!['chromium', 'chromium-browser', 'google-chrome'].some(onPath)) missing.push('chromium');
  return missing;
}

/** A private Xvfb on a free display number; the caller stops it. */
export async function startXvfb(width = 320, height = 240): Promise<Xvfb> {
  let n = 200 + Math.floor(Math.random() * 300);
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n++;
  const display = `:${n}`;
  const proc: ChildProcess = spawn('Xvfb', [display, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: 'ignore',
  });
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${n}`), 10_000, `Xvfb on ${display}`);
  return {
    display,
    pixel: (x, y) =>
      xwdPixel(
        execFileSync('xwd', ['-root', '-silent', '-display', display], { timeout: 10_000, maxBuffer: 64 << 20 }),
        x,
        y,
      ),
    stop: async () => {
      proc.kill('SIGTERM');
      await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, 5000, 'Xvfb to exit');
    },
  };
}

/** Reads one pixel of an XWD image (X11's window dump: a big-endian header, then the pixmap). */
export function xwdPixel(b: Buffer, x: number, y: number): [number, number, number] {
  const u = (i: number) => b.readUInt32BE(i * 4);
  const headerSize = u(0);
  const byteOrder = u(7);
  const bitsPerPixel = u(11);
  const bytesPerLine = u(12);
  const colormapEntries = u(19);
  const i = headerSize + colormapEntries * 12 + y * bytesPerLine + x * (bitsPerPixel / 8);
  return byteOrder === 0 ? [b[i + 2]!, b[i + 1]!, b[i]!] : [b[i + 1]!, b[i + 2]!, b[i + 3]!];
}

/** Processes whose command line carries this argument (e.g. a zone's Chromium --user-data-dir). */
export function processesWithArg(arg: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}
