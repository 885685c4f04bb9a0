import { z } from 'zod';
import { adjustVolume, bool, mediaPath, noArgs, num, volume, withFileAlias } from './arg-schemas.js';
import { screenSpec, supervisorSpec, workerSpec } from './command-spec.js';

/** ParadoxFX's per-type base volumes (PR_VOLUME). `video` exists on screen zones only. */
export const VOLUME_TYPES = ['background', 'speech', 'effects', 'video'] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];

/**
 * ParadoxFX's three setVolume forms: `{volume}` (the zone), `{type, volume}` (one base volume),
 * `{volumes: {...}}` (several). Unknown types in `volumes` are reported by the handler, as ParadoxFX
 * does (a warning naming them), so the schema accepts any key with a volume value.
 */
export const setVolumeArgs = z
  .object({
    volume: volume.optional(),
    type: z.enum(VOLUME_TYPES).optional(),
    volumes: z.record(z.string().max(32), volume).optional(),
  })
  .refine((a) => a.volume !== undefined || a.volumes !== undefined, {
    message: 'expected {volume}, {type, volume} or {volumes: {...}}',
    path: ['volume'],
  })
  .refine((a) => a.type === undefined || a.volume !== undefined, {
    message: 'setVolume with a type needs a volume',
    path: ['volume'],
  });

/** ParadoxFX clamps a positive adjustValue to 0 with a warning rather than refusing it. */
export const setDuckingAdjustmentArgs = z.object({ adjustValue: num(-1000, 1000) });

/**
 * A page for the zone's kiosk browser: http(s) anywhere (the room's clock server), file: only inside the
 * zone's media folder (checked by the worker), nothing else (no javascript:, no chrome:).
 */
export const browserUrl = z
  .string()
  .max(2048)
  .refine((u) => /^(https?|file):\/\//i.test(u), 'must be an http://, https:// or file:// URL');

/** ParadoxFX's doc-only transition: play `video`, then rest on `image` (the current image if none). */
export const transitionArgs = z.object({
  video: mediaPath,
  image: mediaPath.optional(),
  channel: z.unknown().optional(),
});

/** Chromium's first window can take 20 s on a loaded Raspberry Pi; the worker bounds its own wait below this. */
const BROWSER_START_MS = 30_000;

/** Commands ParadoxFX's code (or its controllers, PxO) use that mpvisor had no equivalent for. */
export const PFX_ZONE_COMMAND_SPECS = {
  setZoneVolume: workerSpec(
    'Set the zone volume (0-200), applied to every role (what PxO sends for setVolume).',
    z.object({ volume }),
  ),
  setDuckingAdjustment: workerSpec(
    "Set the zone's ducking_adjust (-100..0); positive values are clamped to 0 with a warning.",
    setDuckingAdjustmentArgs,
  ),
  playAudio: workerSpec(
    'Play an audio file at once over anything else playing (ParadoxFX screen zones), as a sound effect.',
    withFileAlias({
      volume: volume.optional(),
      adjustVolume: adjustVolume.optional(),
      channel: z.unknown().optional(),
    }),
    { mediaArgs: ['file'] },
  ),
  audioQueue: workerSpec('Report the speech queue (ParadoxFX docs name it audioQueue).', noArgs),
  transition: screenSpec('Play a video, then rest on an image when the video queue ends.', transitionArgs, {
    mediaArgs: ['video', 'image'],
  }),
  sleepScreen: screenSpec("Turn the zone's screen off (wlopm/wlr-randr on Wayland, DPMS or RandR on X).", noArgs),
  wakeScreen: screenSpec("Turn the zone's screen on again.", noArgs),
  recoverScreens: screenSpec("Wake the display and show the zone's current picture again.", noArgs),
  enableBrowser: screenSpec(
    "Start the zone's kiosk browser on a page, hidden until showBrowser.",
    z.object({ url: browserUrl, screen: z.unknown().optional(), focus: z.unknown().optional() }),
    { timeoutMs: BROWSER_START_MS },
  ),
  disableBrowser: screenSpec("Stop the zone's browser.", z.object({ effect: z.unknown().optional() })),
  showBrowser: screenSpec('Put the browser over the picture.', z.object({ effect: z.unknown().optional() })),
  hideBrowser: screenSpec(
    "Take the browser off the screen: mpv's picture shows (nothing to do when it is not enabled).",
    z.object({ effect: z.unknown().optional() }),
  ),
  setBrowserUrl: screenSpec(
    'Load another page in the browser (a new Chromium; visibility kept).',
    z.object({ url: browserUrl }),
    { timeoutMs: BROWSER_START_MS },
  ),
  setBrowserKeepAlive: screenSpec(
    'Restart the browser when it dies (on by default) or leave it down.',
    z.object({ enabled: bool, interval: z.unknown().optional() }),
  ),
  restartPfx: supervisorSpec(
    "Restart this zone's worker and its mpv (ParadoxFX restarts itself; mpvisor restarts the zone).",
    noArgs,
  ),
  reboot: supervisorSpec('Reboot the host (only with allow_host_commands = true; otherwise failed/disabled).', noArgs),
  shutdown: supervisorSpec(
    'Power off the host (only with allow_host_commands = true; otherwise failed/disabled).',
    noArgs,
  ),
  killPfx: supervisorSpec(
    'Stop mpvisor as SIGTERM would (only with allow_host_commands = true; otherwise failed/disabled).',
    noArgs,
  ),
};
