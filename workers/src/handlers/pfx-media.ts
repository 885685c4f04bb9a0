import { success } from '@mpvisor/protocol';
import type { ScreenPlayer } from '../roles/screen.js';
import type { Zone } from '../zone.js';
import type { HandlerFamily } from './types.js';

/** ParadoxFX media commands that map onto mpvisor's roles, on every zone kind: playAudio, audioQueue. */
export function pfxMediaHandlers(z: Zone) {
  return {
    // ParadoxFX's screen zones play playAudio on a separate mpv over whatever shows: mpvisor's effect voices.
    playAudio: (a) => z.media(a, (p) => z.effects.play(p, a)),
    audioQueue: async () => {
      const listed = z.speech.list();
      return success('speech queue', listed.result);
    },
  } satisfies HandlerFamily;
}

/** ParadoxFX's transition, on screen zones: play a video, then rest on an image. */
export function pfxTransitionHandlers(z: Zone, screen: ScreenPlayer) {
  return {
    transition: async (a) => {
      if (a.image !== undefined) {
        const image = await z.media({ file: a.image }, async (p) => screen.restOn(p));
        if (image.outcome !== 'success') return image;
      }
      return screen.video.enqueue(z.locate({ ...a, file: a.video }), a);
    },
  } satisfies HandlerFamily;
}
