import { execFile } from 'node:child_process';

const XDOTOOL_TIMEOUT_MS = 3000;

/** xdotool on one X display; resolves with its output, or null when it failed (no window, no display). */
export function xdotool(display: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'xdotool',
      args,
      { timeout: XDOTOOL_TIMEOUT_MS, env: { ...process.env, DISPLAY: display } },
      (err, stdout) => {
        resolve(err ? null : stdout.trim());
      },
    );
  });
}

/**
 * Waits for the top-level window of a Chromium started with `--class=NAME` and returns its id. Chromium
 * maps a 10x10 helper window first; the page's window is the larger one.
 */
export async function waitForWindow(
  display: string,
  windowClass: string,
  timeoutMs: number,
  alive: () => boolean,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const ids = (await xdotool(display, ['search', '--class', windowClass])) ?? '';
    for (const id of ids.split('\n').filter(Boolean)) {
      const geometry = (await xdotool(display, ['getwindowgeometry', '--shell', id])) ?? '';
      const width = Number(/WIDTH=(\d+)/.exec(geometry)?.[1] ?? 0);
      if (width > 50) return id;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/** Covers the whole screen: kiosk mode cannot go full screen without a window manager. */
export async function fillScreen(display: string, windowId: string): Promise<void> {
  const size = (await xdotool(display, ['getdisplaygeometry'])) ?? '';
  const [w, h] = size.split(/\s+/);
  if (w && h) await xdotool(display, ['windowsize', windowId, w, h]);
  await xdotool(display, ['windowmove', windowId, '0', '0']);
}

export async function showWindow(display: string, windowId: string): Promise<boolean> {
  const mapped = await xdotool(display, ['windowmap', windowId]);
  const raised = await xdotool(display, ['windowraise', windowId]);
  return mapped !== null && raised !== null;
}

/** Unmapped, the browser is off the screen and mpv's picture shows; the page keeps running. */
export async function hideWindow(display: string, windowId: string): Promise<boolean> {
  return (await xdotool(display, ['windowunmap', windowId])) !== null;
}
