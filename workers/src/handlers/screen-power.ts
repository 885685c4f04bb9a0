import { failed, type HandlerResult, success } from '@mpvisor/protocol';
import type { DisplayPower } from '../display-power/display-power.js';
import type { ScreenPlayer } from '../roles/screen.js';
import type { Zone } from '../zone.js';
import type { HandlerFamily } from './types.js';

/**
 * ParadoxFX's screen power commands. The zone state follows what the display server reports after the
 * switch, never what was asked: a server that accepts a switch and keeps the screen on gets a failure.
 */
export function screenPowerHandlers(z: Zone, screen: ScreenPlayer, power: DisplayPower) {
  const switchTo = async (on: boolean): Promise<HandlerResult> => {
    const word = on ? 'on' : 'off';
    if (!power.available)
      return failed(
        'no_display',
        `zone ${z.boot.zone.name} has no display to switch ${word}: set display = :0 in its section, or run mpvisor in the Wayland session (WAYLAND_DISPLAY)`,
      );
    const switched = await power.switch(on);
    if (!switched.ok)
      return failed('display_power_failed', `could not switch the screen ${word}: ${switched.tried.join('; ')}`);
    z.screenPower = word;
    z.stateChanged();
    return success(`screen ${word} (${switched.label})`, { screen_power: word, method: switched.method });
  };
  return {
    sleepScreen: () => switchTo(false),
    wakeScreen: () => switchTo(true),
    recoverScreens: async () => {
      const woke = await switchTo(true);
      if (woke.outcome !== 'success') return woke;
      const shown = await screen.reshow();
      return shown.ok
        ? success(`${woke.message}, picture shown again`, woke.result)
        : failed('media_error', shown.reason);
    },
  } satisfies HandlerFamily;
}
