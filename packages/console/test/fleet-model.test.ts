import { describe, expect, test } from '@jest/globals';
import { classify } from '../src/classify.js';
import { FleetModel } from '../src/fleet-model.js';
import type { FleetChange } from '../src/views.js';

const zoneState = (zone: string, state = 'ready', extra: object = {}) => ({
  timestamp: '2026-01-01T00:00:00.000Z',
  zone,
  zone_type: 'audio',
  state,
  pid: 100,
  restarts: 0,
  last_exit: null,
  uptime_ms: 5000,
  errors: [],
  ...extra,
});
const systemState = (zones: Record<string, string>) => ({
  timestamp: '2026-01-01T00:00:00.000Z',
  state: 'running',
  pid: 7,
  uptime_ms: 9000,
  zones,
});

function feed(model: FleetModel, topic: string, payload: unknown): void {
  const msg = classify(topic, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)));
  if (msg) model.apply(msg);
}

describe('classify', () => {
  test('recognises each kind by topic suffix and shape, and ignores the rest', () => {
    expect(classify('venue/a/dev/availability', Buffer.from('online'))).toEqual({
      kind: 'availability',
      base: 'venue/a',
      device: 'dev',
      online: true,
    });
    expect(classify('venue/a/lobby/state', Buffer.from(JSON.stringify(zoneState('lobby'))))?.kind).toBe('zone_state');
    expect(classify('venue/a/system/state', Buffer.from(JSON.stringify(systemState({}))))?.kind).toBe('system_state');
    expect(
      classify(
        'venue/a/heartbeat',
        Buffer.from(
          JSON.stringify({
            timestamp: 't',
            application: 'pfx',
            implementation: 'mpvisor',
            device_name: 'dev',
            status: 'online',
            uptime: 3,
          }),
        ),
      )?.kind,
    ).toBe('heartbeat');
    expect(classify('venue/a/lobby/state', Buffer.from('{not json'))).toBeNull();
    expect(classify('venue/a/lobby/state', Buffer.from('{"zone":"x"}'))).toBeNull();
    expect(classify('other/thing', Buffer.from('{"a":1}'))).toBeNull();
    expect(classify('x/availability', Buffer.from('maybe'))).toBeNull();
  });
});

describe('FleetModel', () => {
  test('places zones and the system under the node whose base topic they lie under, in any arrival order', () => {
    const m = new FleetModel();
    feed(m, 'venue/a/lobby/state', zoneState('lobby'));
    feed(m, 'venue/a/system/state', systemState({ lobby: 'ready' }));
    feed(
      m,
      'venue/b/lobby/state',
      zoneState('lobby', 'failed', {
        last_exit: { code: null, signal: 'SIGKILL', reason: 'killed by SIGKILL', at: 't' },
      }),
    );
    feed(m, 'venue/a/dev-a/availability', 'online');
    feed(m, 'venue/b/dev-b/availability', 'online');
    const snap = m.snapshot();
    expect(snap.nodes.map((n) => [n.id, n.online, n.system_topic, n.system_state])).toEqual([
      ['venue/a/dev-a', true, 'venue/a/system', 'running'],
      ['venue/b/dev-b', true, null, null],
    ]);
    expect(snap.zones.map((z) => [z.topic, z.node, z.state.state, z.reason])).toEqual([
      ['venue/a/lobby', 'venue/a/dev-a', 'ready', null],
      ['venue/b/lobby', 'venue/b/dev-b', 'failed', 'killed by SIGKILL'],
    ]);
  });

  test('a zone re-homed when its node appears is pushed again', () => {
    const m = new FleetModel();
    const changes: FleetChange[] = [];
    m.onChange((c) => changes.push(c));
    feed(m, 'venue/a/lobby/state', zoneState('lobby'));
    feed(m, 'venue/a/dev/availability', 'online');
    const zones = changes.filter((c) => c.type === 'zone');
    expect(zones.map((c) => (c.type === 'zone' ? c.zone.node : 'x'))).toEqual([null, 'venue/a/dev']);
  });

  test('availability changes are events; heartbeats give version, uptime and address; metrics give load', () => {
    let now = 0;
    const m = new FleetModel(() => new Date(now));
    feed(m, 'venue/a/dev/availability', 'online');
    feed(m, 'venue/a/heartbeat', {
      timestamp: 't',
      application: 'pfx',
      implementation: 'mpvisor',
      device_name: 'dev',
      ip_address: '10.0.0.5',
      status: 'online',
      uptime: 12.5,
      version: '0.1.0',
    });
    feed(m, 'venue/a/system/state', systemState({}));
    feed(m, 'venue/a/system/metrics', {
      supervisor: { rss_mb: 40 },
      zones: { lobby: { cpu_percent: 1.5, rss_mb: 60 } },
    });
    now = 5000;
    feed(m, 'venue/a/dev/availability', 'offline');
    feed(m, 'venue/a/dev/availability', 'offline');
    const [node] = m.snapshot().nodes;
    expect(node).toMatchObject({
      online: false,
      since: new Date(5000).toISOString(),
      version: '0.1.0',
      uptime_ms: 12_500,
      ip: '10.0.0.5',
      rss_mb: 100,
      cpu_percent: 1.5,
    });
    expect(m.snapshot().events.map((e) => [e.level, e.text])).toEqual([
      ['info', 'online'],
      ['error', 'offline'],
    ]);
  });

  test('a heartbeat goes to the node of its device under whose base it is published', () => {
    const m = new FleetModel();
    feed(m, 'venue/a/test/availability', 'online');
    const hb = (uptime: number) => ({
      timestamp: 't',
      application: 'pfx',
      implementation: 'mpvisor',
      device_name: 'test',
      status: 'online',
      uptime,
    });
    feed(m, 'venue/b/heartbeat', hb(7));
    feed(m, 'venue/a/heartbeat', hb(3));
    feed(m, 'venue/b/test/availability', 'online');
    expect(m.snapshot().nodes.map((n) => [n.id, n.uptime_ms])).toEqual([
      ['venue/a/test', 3000],
      ['venue/b/test', 7000],
    ]);
  });

  test('lifecycle events are listed once (from the system topic), warnings once (from the warnings topic)', () => {
    const m = new FleetModel();
    feed(m, 'venue/a/dev/availability', 'online');
    feed(m, 'venue/a/system/state', systemState({ lobby: 'ready' }));
    const crashed = { timestamp: 't', type: 'zone_lifecycle', zone: 'lobby', event: 'crashed' };
    feed(m, 'venue/a/lobby/events', crashed);
    feed(m, 'venue/a/system/events', crashed);
    const warning = { timestamp: 't', type: 'warning', zone: 'lobby', message: 'no sound server' };
    feed(m, 'venue/a/lobby/warnings', warning);
    feed(m, 'venue/a/lobby/events', warning);
    feed(m, 'venue/a/system/events', {
      type: 'system_reset_status',
      id: 'r1',
      phase: 'failed',
      errors: ['zone lobby is failed'],
    });
    feed(m, 'venue/a/lobby/events', {
      type: 'command',
      command: 'playBackground',
      id: 'x',
      zone: 'lobby',
      outcome: 'success',
      message: 'ok',
      error_type: null,
      duration_ms: 1,
    });
    expect(
      m
        .snapshot()
        .events.slice(1)
        .map((e) => [e.level, e.zone, e.text]),
    ).toEqual([
      ['error', 'lobby', 'lobby crashed'],
      ['warning', 'lobby', 'no sound server'],
      ['error', null, 'reset failed: zone lobby is failed'],
    ]);
  });
});
