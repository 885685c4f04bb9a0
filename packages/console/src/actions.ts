import { z } from 'zod';
import type { FleetSnapshot } from './views.js';

const zone = z.string().min(1).max(512);
const node = z.string().min(1).max(512);
const level = z.enum(['soft', 'hard']).default('soft');

/** What the page may ask for. Anything else is refused before it reaches the broker. */
export const actionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('play_background'), zone, file: z.string().min(1).max(1024) }).strict(),
  z.object({ action: z.literal('stop_background'), zone }).strict(),
  z.object({ action: z.literal('stop_all'), zone }).strict(),
  z.object({ action: z.literal('zone_restart'), zone }).strict(),
  z.object({ action: z.literal('zone_reset'), zone, level, preserve_state: z.boolean().default(false) }).strict(),
  z.object({ action: z.literal('node_reset'), node, level, preserve_state: z.boolean().default(false) }).strict(),
  z.object({ action: z.literal('cleanup'), node }).strict(),
  z.object({ action: z.literal('venue_stop_audio') }).strict(),
]);
export type Action = z.infer<typeof actionSchema>;

/** One MQTT command of an action: where it goes (a zone or system topic) and what it says. */
export interface PlannedCommand {
  topic: string;
  label: string;
  payload: Record<string, unknown>;
  timeoutMs: number;
}

export class ActionError extends Error {}

// A little over the supervisor's own 15 s handler bound, so its `timeout` outcome arrives first.
const COMMAND_TIMEOUT_MS = 20_000;
const RESET_TIMEOUT_MS = 60_000;

/** The commands an action becomes, given what the console knows of the fleet. */
export function planAction(action: Action, fleet: FleetSnapshot): PlannedCommand[] {
  const zoneOf = (topic: string) => {
    const z = fleet.zones.find((x) => x.topic === topic);
    if (!z) throw new ActionError(`no zone with topic ${topic}`);
    return { topic, label: z.node ? `${z.node.split('/').pop()}/${z.state.zone}` : z.state.zone };
  };
  const systemOf = (id: string) => {
    const n = fleet.nodes.find((x) => x.id === id);
    if (!n) throw new ActionError(`no node ${id}`);
    if (!n.system_topic) throw new ActionError(`node ${id} has published no system state yet`);
    return { topic: n.system_topic, label: n.device };
  };
  const one = (
    t: { topic: string; label: string },
    payload: Record<string, unknown>,
    timeoutMs = COMMAND_TIMEOUT_MS,
  ) => [{ ...t, payload, timeoutMs }];
  switch (action.action) {
    case 'play_background':
      return one(zoneOf(action.zone), { command: 'playBackground', file: action.file });
    case 'stop_background':
      return one(zoneOf(action.zone), { command: 'stopBackground' });
    case 'stop_all':
      return one(zoneOf(action.zone), { command: 'stopAll' });
    case 'zone_restart':
      return one(zoneOf(action.zone), { command: 'restart', reason: 'operator console' });
    case 'zone_reset':
      return one(
        zoneOf(action.zone),
        { command: 'reset', level: action.level, preserve_state: action.preserve_state },
        RESET_TIMEOUT_MS,
      );
    case 'node_reset':
      return one(
        systemOf(action.node),
        { command: 'reset', level: action.level, preserve_state: action.preserve_state },
        RESET_TIMEOUT_MS,
      );
    case 'cleanup':
      return one(systemOf(action.node), { command: 'cleanup_orphans' }, RESET_TIMEOUT_MS);
    case 'venue_stop_audio': {
      const online = new Set(fleet.nodes.filter((n) => n.online).map((n) => n.id));
      const zones = fleet.zones.filter((z) => z.node !== null && online.has(z.node));
      if (zones.length === 0) throw new ActionError('no zone of an online node is known');
      return zones.flatMap((z) => one(zoneOf(z.topic), { command: 'stopAudio' }));
    }
  }
}
