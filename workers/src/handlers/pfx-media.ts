import { success } from '@mpvisor/protocol';
import type { Zone } from '../zone.js';
import type { HandlerTable } from './types.js';

/** ParadoxFX media commands that map onto mpvisor's roles: playAudio, audioQueue, transition. */
export function pfxMediaHandlers(z: Zone): HandlerTable {
  const table: HandlerTable = [
    // ParadoxFX's screen zones play playAudio on a separate mpv over whatever shows: mpvisor's effect voices.
    ['playAudio', (a) => z.media(a, (p) => z.effects.play(p, a))],
    [
      'audioQueue',
      async () => {
        const listed = z.speech.list();
        return success('speech queue', listed.result);
      },
    ],
  ];
  const screen = z.screen;
  if (screen) {
    table.push([
      'transition',
      async (a) => {
        if (typeof a.image === 'string') {
          const image = await z.media({ file: a.image }, async (p) => screen.restOn(p));
          if (image.outcome !== 'success') return image;
        }
        return screen.video.enqueue(z.locate({ ...a, file: a.video }), a);
      },
    ]);
  }
  return table;
}
