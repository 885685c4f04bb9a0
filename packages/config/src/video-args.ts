import type { ZoneConfig } from './types.js';

/**
 * mpv options for a screen's video mpv: a borderless full-screen window that stays open between
 * videos (so the screen never flashes the desktop), on the configured monitor. The zone's
 * mpv_video_options come last and override these (tests pass --vo=null there). Here rather than in the
 * worker because the supervisor keys screen zones' warm spares by these very options.
 */
export function videoArgs(zone: ZoneConfig): string[] {
  const args = ['--force-window=yes', '--fullscreen', '--osd-level=0', '--cursor-autohide=always', '--no-border'];
  const monitor = zone.target_monitor ?? zone.xinerama_screen;
  if (monitor !== undefined) args.push(`--screen=${monitor}`, `--fs-screen=${monitor}`);
  return [...args, ...zone.mpv_audio_options, ...zone.mpv_video_options];
}
