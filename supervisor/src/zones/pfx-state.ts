import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { ZoneConfig } from '@mpvisor/config';
import type { MediaState, MpvInstanceInfo, PfxMpvEntry, PfxZoneState, ZoneState } from '@mpvisor/protocol';

type PlayStatus = MediaState['background']['status'];

/** The media folder as mpv sees files in it (the worker plays real paths); resolved once per folder. */
const realDirs = new Map<string, string>();
function realDir(dir: string): string {
  let real = realDirs.get(dir);
  if (real === undefined) {
    try {
      real = realpathSync(dir);
    } catch {
      real = dir;
    }
    realDirs.set(dir, real);
  }
  return real;
}

/** ParadoxFX reports the name that was requested: a path relative to the zone's media folder. */
export function relativeMedia(zone: ZoneConfig, file: string | null): string | null {
  if (file === null) return null;
  for (const dir of [realDir(zone.media_dir), zone.media_dir]) {
    const rel = path.relative(dir, file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return file;
}

const roleStatus = (s: PlayStatus): PfxMpvEntry['status'] => (s === 'stopped' ? 'idle' : s);

function status(media: MediaState): PfxZoneState['status'] {
  if (media.screen_power === 'off') return 'screen_asleep';
  if (media.video?.status === 'playing') return 'playing_video';
  if (media.speech.status === 'playing' || media.background.status === 'playing' || media.effects.active > 0)
    return 'playing_audio';
  if (
    media.paused_all ||
    media.video?.status === 'paused' ||
    media.speech.status === 'paused' ||
    media.background.status === 'paused'
  )
    return 'paused';
  if (media.image?.file) return 'showing_image';
  return 'idle';
}

/** ParadoxFX's keys of a zone's state, built from the worker's media state, with files made relative. */
export function pfxView(
  zone: ZoneConfig,
  media: MediaState | null,
  mpv: MpvInstanceInfo[],
  lastCommand: string | null,
): Partial<ZoneState> & PfxZoneState {
  const rel = (file: string | null) => relativeMedia(zone, file);
  const proc = (role: string) => mpv.find((m) => m.role === role);
  const entry = (role: string, s: PlayStatus, file: string | null): PfxMpvEntry => ({
    status: roleStatus(s),
    file: rel(file),
    socket_path: null,
    pid: proc(role)?.pid ?? null,
    alive: proc(role)?.alive ?? false,
  });
  const off = { enabled: false, url: null, focused: false, process_id: null, window_id: null };
  const browser = zone.kind === 'screen' ? { browser: media?.browser ?? off } : {};
  if (!media) {
    return {
      type: 'status',
      status: 'idle',
      isDucked: false,
      maxVolume: zone.max_volume,
      lastCommand,
      current_file: null,
      file: null,
      next: null,
      mpv_instances: {},
      ...browser,
    };
  }
  const shown = media.video?.file ?? media.image?.file ?? null;
  const current = zone.kind === 'screen' ? shown : (media.speech.file ?? media.background.file);
  const instances: Record<string, PfxMpvEntry> = {
    background: entry('background', media.background.status, media.background.file),
    speech: entry('speech', media.speech.status, media.speech.file),
  };
  if (media.video)
    instances.media = entry(
      'video',
      media.video.file ? media.video.status : media.image?.file ? 'playing' : 'stopped',
      shown,
    );
  const withRel = <T extends { file: string | null }>(role: T) => ({ ...role, file: rel(role.file), path: role.file });
  const queued = <T extends { file: string | null; next: string | null; queue: string[] }>(q: T) => ({
    ...withRel(q),
    next: rel(q.next),
    queue: q.queue.map((f) => rel(f) ?? f),
  });
  return {
    type: 'status',
    status: status(media),
    isDucked: media.ducked,
    maxVolume: zone.max_volume,
    lastCommand,
    current_file: rel(current),
    file: rel(current),
    next: rel(media.speech.next ?? media.video?.next ?? null),
    mpv_instances: instances,
    ...browser,
    background: withRel(media.background),
    speech: queued(media.speech),
    ...(media.video ? { video: queued(media.video) } : {}),
    ...(media.image ? { image: withRel(media.image) } : {}),
  };
}
