import { z } from 'zod';

/** ParadoxFX's zone `status` values, as its controllers compare them. */
export const PFX_ZONE_STATUS = [
  'idle',
  'playing_audio',
  'playing_video',
  'showing_image',
  'screen_asleep',
  'paused',
] as const;

const mpvRoleEntry = z.object({
  status: z.enum(['idle', 'playing', 'paused']),
  /** Relative to the zone's media folder, as ParadoxFX reports what was requested. */
  file: z.string().nullable(),
  /** ParadoxFX's per-instance IPC socket; mpvisor's mpv talk over an inherited socketpair, so there is none. */
  socket_path: z.null(),
  pid: z.number().int().nullable(),
  alive: z.boolean(),
});

/** ParadoxFX's browser block of a screen zone: its kiosk Chromium, and whether it covers the screen. */
export const pfxBrowserSchema = z.object({
  enabled: z.boolean(),
  url: z.string().nullable(),
  focused: z.boolean(),
  process_id: z.number().int().nullable(),
  window_id: z.string().nullable(),
});
export type PfxBrowserState = z.infer<typeof pfxBrowserSchema>;

/**
 * The keys ParadoxFX's `{zone topic}/state` has that mpvisor's own state did not, added beside
 * mpvisor's keys (the zone kind moved to `zone_type`, the process list to `mpv_processes`).
 */
export const pfxZoneStateSchema = z.object({
  type: z.literal('status'),
  status: z.enum(PFX_ZONE_STATUS),
  isDucked: z.boolean(),
  maxVolume: z.number(),
  lastCommand: z.string().nullable(),
  /** What the zone shows or plays now, relative to its media folder (also as `file`, which PxO's verifyImage reads first). */
  current_file: z.string().nullable(),
  file: z.string().nullable(),
  next: z.string().nullable(),
  mpv_instances: z.record(z.string(), mpvRoleEntry),
  browser: pfxBrowserSchema.optional(),
});
export type PfxZoneState = z.infer<typeof pfxZoneStateSchema>;
export type PfxMpvEntry = z.infer<typeof mpvRoleEntry>;

/** One zone in ParadoxFX's heartbeat, keyed by its section name (`screen:NAME`). */
export const pfxHeartbeatZoneSchema = z.object({
  status: z.string(),
  focus: z.enum(['mpv', 'browser', 'none']),
  content: z.string().nullable(),
  browser_enabled: z.boolean(),
});
export type PfxHeartbeatZone = z.infer<typeof pfxHeartbeatZoneSchema>;
