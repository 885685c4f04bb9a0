import { failed, success, warning, type HandlerResult } from '@mpvisor/protocol';
import type { Zone } from '../zone.js';
import { manualDuckId } from './pfx-volume.js';
import { fadeOf, type HandlerFamily } from './types.js';

// Ducks from duck commands live beside the speech and video ducks; the prefix keeps a caller's id from
// releasing those, which follow their queues.
const CALLER = 'cmd:';
/**
 * Caller duck ids a zone holds at once. Each costs memory in the worker and bytes in every duck outcome
 * and volume event (which list them), so a flood of distinct ids is refused here, not carried along.
 */
export const MAX_CALLER_DUCKS = 32;

/** Zone-wide commands: volume and ducks, pause/resume/stop across roles, state and diagnostics. */
export function mixHandlers(z: Zone) {
  const zone = z.boot.zone;
  return {
    duck: async (a) => {
      if (typeof a.ducking === 'number' && a.ducking >= 0) {
        return success(`ducking ${a.ducking} is not negative: not ducked (as ParadoxFX)`, {
          manual_duck_ignored: true,
          requested: a.ducking,
        });
      }
      const duckId = typeof a.duck_id === 'string' ? a.duck_id : manualDuckId();
      const id = `${CALLER}${duckId}`;
      const held = z.ducks.ids.filter((i) => i.startsWith(CALLER)).length;
      if (!z.ducks.has(id) && held >= MAX_CALLER_DUCKS) {
        return failed('limit_reached', `the zone already holds ${MAX_CALLER_DUCKS} duck ids; unduck one first`, {
          duck_count: held,
          max_ducks: MAX_CALLER_DUCKS,
        });
      }
      await z.ducks.set(id, typeof a.amount === 'number' ? a.amount : z.duckingAdjust);
      z.volumeEvent();
      return success(`ducked (${z.ducks.strongest}%)`, {
        duck_id: duckId,
        duck_percent: z.ducks.strongest,
        background: z.background.state().effective_volume,
        ducks: z.ducks.ids,
        duck_count: z.ducks.ids.length,
      });
    },
    unduck: async (a) => {
      const ids =
        typeof a.duck_id === 'string' ? [`${CALLER}${a.duck_id}`] : z.ducks.ids.filter((i) => i.startsWith(CALLER));
      const released = await z.ducks.release(ids);
      z.volumeEvent();
      const result = {
        released,
        duck_percent: z.ducks.strongest,
        background: z.background.state().effective_volume,
        ducks: z.ducks.ids,
        duck_count: z.ducks.ids.length,
      };
      return released === 0 ? warning('no such duck', result) : success(`released ${released} duck(s)`, result);
    },
    pauseAll: () => pauseAll(z),
    resumeAll: () => resumeAll(z),
    stopAll: async (a) => {
      const f = fadeOf(a);
      await Promise.all([z.background.stop(f), z.speech.stop(f), z.effects.stopAll(f), z.screen?.video.stop(f)]);
      z.pausedAll = null;
      z.stateChanged();
      return success('all stopped');
    },
    getState: async () => success('state', z.state()),
    getConfig: async () => success('config', zone),
    getMpvProperty: async (a) => {
      const slot = z.slots.find((s) => s.role === a.role);
      if (!slot)
        return {
          outcome: 'invalid',
          error_type: 'invalid_argument',
          message: `no mpv role "${String(a.role)}"; roles: ${z.slots.map((s) => s.role).join(', ')}`,
        };
      const client = await slot.ready();
      const value = await client
        .getProperty(String(a.property), { timeoutMs: 1000 })
        .catch((err: Error) => ({ error: err.message }));
      return success(`${String(a.role)} ${String(a.property)}`, {
        role: a.role,
        property: a.property,
        value,
        pid: slot.pid,
      });
    },
  } satisfies HandlerFamily;
}

/** Pauses what plays and remembers it, so resumeAll restarts exactly that and not what was paused before. */
async function pauseAll(z: Zone): Promise<HandlerResult> {
  if (z.pausedAll) return warning('already paused by pauseAll', { paused: z.pausedAll });
  const paused: string[] = [];
  if (z.background.state().status === 'playing') {
    await z.background.pause();
    paused.push('background');
  }
  if (z.speech.playing) {
    await z.speech.setPaused(true);
    paused.push('speech');
  }
  if (z.effects.active > 0) {
    await z.effects.setPaused(true);
    paused.push('effects');
  }
  if (z.screen?.video.playing) {
    await z.screen.video.setPaused(true);
    paused.push('video');
  }
  z.pausedAll = paused;
  z.stateChanged();
  return success(`paused ${paused.join(', ') || 'nothing'}`, { paused });
}

async function resumeAll(z: Zone): Promise<HandlerResult> {
  const paused = z.pausedAll;
  if (!paused) return warning('nothing was paused by pauseAll');
  if (paused.includes('background')) await z.background.resume();
  if (paused.includes('speech')) await z.speech.setPaused(false);
  if (paused.includes('effects')) await z.effects.setPaused(false);
  if (paused.includes('video')) await z.screen?.video.setPaused(false);
  z.pausedAll = null;
  z.stateChanged();
  return success(`resumed ${paused.join(', ') || 'nothing'}`, { resumed: paused });
}
