import type { ScreenPlayer } from '../roles/screen.js';
import type { Zone } from '../zone.js';
import { fadeOf, type HandlerFamily } from './types.js';

/** Screen zones: one picture at a time, an image at rest and a queue of videos over it. */
export function screenHandlers(z: Zone, screen: ScreenPlayer) {
  return {
    setImage: (a) => z.media(a, (p) => screen.setImage(p)),
    playVideo: (a) => screen.video.enqueue(z.locate(a), a),
    stopVideo: (a) => screen.video.stop(fadeOf(a)),
    pauseVideo: () => screen.video.setPaused(true),
    resumeVideo: () => screen.video.setPaused(false),
    skip: () => screen.video.skip(),
    videoQueue: async () => screen.video.list(),
    clearQueue: async () => screen.video.clear(),
  } satisfies HandlerFamily;
}
