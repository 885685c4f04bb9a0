import { success } from '@mpvisor/protocol';
import type { Zone } from '../zone.js';
import { fadeOf, type HandlerFamily } from './types.js';

/** Background, speech and effects: the commands every zone kind accepts. */
export function audioHandlers(z: Zone) {
  return {
    playBackground: (a) => z.background.play(z.locate(a), a),
    pauseBackground: () => z.background.pause(),
    resumeBackground: () => z.background.resume(),
    stopBackground: (a) => z.background.stop(fadeOf(a)),
    setBackgroundMusicVolume: async (a) => {
      const r = await z.background.setBase(a.volume);
      z.volumeEvent();
      return r;
    },
    playSpeech: (a) => z.speech.enqueue(z.locate(a), a),
    pauseSpeech: () => z.speech.setPaused(true),
    resumeSpeech: () => z.speech.setPaused(false),
    skipSpeech: () => z.speech.skip(),
    stopSpeech: (a) => z.speech.stop(fadeOf(a)),
    clearSpeechQueue: async () => {
      const stopped = await z.speech.stop(0);
      return success('speech stopped and queue cleared', stopped.result);
    },
    speechQueue: async () => z.speech.list(),
    playSoundEffect: (a) => z.media(a, (p) => z.effects.play(p, a)),
    stopAllEffects: (a) => z.effects.stopAll(fadeOf(a)),
    stopAudio: async (a) => {
      const f = fadeOf(a);
      await Promise.all([z.background.stop(f), z.speech.stop(f), z.effects.stopAll(f)]);
      return success('audio stopped');
    },
  } satisfies HandlerFamily;
}
