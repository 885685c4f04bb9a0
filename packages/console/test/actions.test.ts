import { describe, expect, test } from '@jest/globals';
import { ActionError, actionSchema, planAction } from '../src/actions.js';
import { classify } from '../src/classify.js';
import { FleetModel } from '../src/fleet-model.js';

function fleet() {
  const m = new FleetModel();
  const feed = (topic: string, payload: unknown) =>
    m.apply(classify(topic, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)))!);
  for (const [room, online] of [
    ['a', 'online'],
    ['b', 'offline'],
  ] as const) {
    feed(`v/${room}/dev/availability`, online);
    feed(`v/${room}/system/state`, {
      timestamp: 't',
      state: 'running',
      pid: 1,
      uptime_ms: 1,
      zones: { main: 'ready' },
    });
    feed(`v/${room}/main/state`, {
      timestamp: 't',
      zone: 'main',
      zone_type: 'audio',
      state: 'ready',
      pid: 2,
      restarts: 0,
      last_exit: null,
      uptime_ms: 1,
      errors: [],
    });
  }
  return m.snapshot();
}

describe('actions', () => {
  test('each action becomes the documented MQTT command on the right topic', () => {
    const f = fleet();
    const plan = (a: unknown) => planAction(actionSchema.parse(a), f).map((c) => [c.topic, c.payload]);
    expect(plan({ action: 'play_background', zone: 'v/a/main', file: 'x.wav' })).toEqual([
      ['v/a/main', { command: 'playBackground', file: 'x.wav' }],
    ]);
    expect(plan({ action: 'zone_reset', zone: 'v/a/main', level: 'hard' })).toEqual([
      ['v/a/main', { command: 'reset', level: 'hard', preserve_state: false }],
    ]);
    expect(plan({ action: 'node_reset', node: 'v/a/dev', preserve_state: true })).toEqual([
      ['v/a/system', { command: 'reset', level: 'soft', preserve_state: true }],
    ]);
    expect(plan({ action: 'cleanup', node: 'v/a/dev' })).toEqual([['v/a/system', { command: 'cleanup_orphans' }]]);
    expect(plan({ action: 'venue_stop_audio' })).toEqual([['v/a/main', { command: 'stopAudio' }]]);
  });

  test('unknown targets and unknown actions are refused before anything is sent', () => {
    expect(() => planAction(actionSchema.parse({ action: 'stop_all', zone: 'v/z/main' }), fleet())).toThrow(
      ActionError,
    );
    expect(actionSchema.safeParse({ action: 'system_reset', node: 'v/a/dev' }).success).toBe(false);
    expect(actionSchema.safeParse({ action: 'play_background', zone: 'v/a/main', file: 'x', extra: 1 }).success).toBe(
      false,
    );
  });
});
