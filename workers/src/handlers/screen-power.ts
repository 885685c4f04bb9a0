import { execFile } from 'node:child_process';
import { failed, success, type HandlerResult } from '@mpvisor/protocol';
import type { Zone } from '../zone.js';
import type { HandlerFamily } from './types.js';

const XSET_TIMEOUT_MS = 3000;

/**
 * xset on the zone's X display; resolves with its error text, or null when it worked. xset exits 0 even
 * when the server lacks DPMS, so anything on stderr counts as a failure.
 */
function xset(display: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('xset', ['-display', display, ...args], { timeout: XSET_TIMEOUT_MS }, (err, _stdout, stderr) => {
      const problem = stderr.trim().split('\n')[0] ?? '';
      if (err) resolve(problem || err.message);
      else resolve(problem === '' ? null : problem);
    });
  });
}

/**
 * ParadoxFX's screen power commands, as DPMS on the zone's X display (the `display` key, else the
 * worker's DISPLAY). Without a display (Wayland only, or headless) they fail saying so: there is
 * nothing mpvisor could switch, and a success would be a lie.
 */
export function screenPowerHandlers(z: Zone) {
  const display = z.boot.zone.display ?? process.env.DISPLAY;
  const power = async (on: boolean): Promise<HandlerResult> => {
    if (!display)
      return failed(
        'no_display',
        `no X display for zone ${z.boot.zone.name}: set display = :0 in its section (screen power uses DPMS through xset)`,
      );
    const error = (await xset(display, ['+dpms'])) ?? (await xset(display, ['dpms', 'force', on ? 'on' : 'off']));
    if (error) return failed('no_display', `xset on ${display} failed: ${error}`);
    z.screenAsleep = !on;
    z.stateChanged();
    return success(on ? `display ${display} awake` : `display ${display} asleep`, { display, screen_asleep: !on });
  };
  return {
    sleepScreen: () => power(false),
    wakeScreen: () => power(true),
    recoverScreens: async () => {
      const woke = await power(true);
      if (woke.outcome !== 'success') return woke;
      const shown = await z.screen!.reshow();
      return shown.ok
        ? success(`display ${display} awake, picture shown again`, { display, screen_asleep: false })
        : failed('media_error', shown.reason);
    },
  } satisfies HandlerFamily;
}
