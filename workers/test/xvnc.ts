import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from '@mpvisor/testkit';
import { onPath, type Xvfb, xwdPixel } from './xvfb.js';

/** TigerVNC's X server: unlike Xvfb its RandR output can be switched off and on (Debian: tigervnc-standalone-server). */
export const XVNC = 'Xtigervnc';

export const missingXvncTools = (): string[] => [XVNC, 'xrandr', 'xwd'].filter((c) => !onPath(c));

/** A private Xvnc with no VNC port (only the X socket) on a free display number; the caller stops it. */
export async function startXvnc(width: number, height: number): Promise<Xvfb> {
  let n = 500 + Math.floor(Math.random() * 300);
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n++;
  const display = `:${n}`;
  const args = [display, '-geometry', `${width}x${height}`, '-depth', '24', '-SecurityTypes', 'None', '-rfbport', '-1'];
  const proc = spawn(XVNC, [...args, '-nolisten', 'tcp'], { stdio: 'ignore' });
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${n}`), 10_000, `${XVNC} on ${display}`);
  return {
    display,
    pixel: (x, y) =>
      xwdPixel(execFileSync('xwd', ['-root', '-silent', '-display', display], { timeout: 10_000 }), x, y),
    stop: async () => {
      proc.kill('SIGTERM');
      await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, 5000, `${XVNC} to exit`);
    },
  };
}

/** What the X server itself says of one output: its geometry (`320x240+0+0`) while on, null while off. */
export function xrandrGeometry(display: string, output: string): string | null {
  const text = execFileSync('xrandr', ['-display', display, '--query'], { timeout: 10_000, encoding: 'utf8' });
  const line = text.split('\n').find((l) => l.startsWith(`${output} `));
  if (line === undefined) throw new Error(`xrandr lists no ${output}:\n${text}`);
  return /\bconnected(?: primary)? (\d+x\d+\+\d+\+\d+)/.exec(line)?.[1] ?? null;
}
