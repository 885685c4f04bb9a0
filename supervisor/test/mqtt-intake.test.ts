import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@mpvisor/log';
import { CommandTable, SYSTEM_COMMANDS, ZONE_COMMANDS, type CommandOutcome } from '@mpvisor/protocol';
import type { IPublishPacket } from 'mqtt';
import { Dispatcher, type CommandSource } from '../src/commands/dispatcher.js';
import { RecentIds } from '../src/commands/recent-ids.js';
import { systemHandlers } from '../src/commands/system-handlers.js';
import { CommandIntake } from '../src/mqtt/command-intake.js';
import { ReplyTopics } from '../src/mqtt/reply-topics.js';

const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quiet;
  },
} as unknown as Logger;
const own = ['p/system/commands', 'p/system/command', 'p/system/events', 'p/lobby/commands', 'p/lobby/state'];

describe('ReplyTopics: a response topic is used only when it is plain, ours to write and not our own', () => {
  const r = new ReplyTopics('p/replies', () => own);
  it.each([
    ['p/replies/ctl-1', true],
    ['p/replies/a/b/c', true],
    ['p/replies', false],
    ['p/repliesX/a', false],
    ['p/#', false],
    ['p/replies/#', false],
    ['p/replies/+/x', false],
    ['$SYS/broker', false],
    ['$share/g/p/replies/x', false],
    ['p/system/commands', false],
    ['p/lobby/commands', false],
    ['other/topic', false],
    ['', false],
    ['p/replies/a\0b', false],
    [`p/replies/${'x'.repeat(1100)}`, false],
  ])('%s -> %s', (topic, ok) => {
    expect(r.check(topic).ok).toBe(ok);
  });
  it('own topics are refused even under the prefix, and huge correlation data is refused', () => {
    expect(new ReplyTopics('p', () => own).check('p/system/commands')).toEqual({
      ok: false,
      reason: "it is one of the supervisor's own topics",
    });
    expect(r.check('p/replies/x', Buffer.alloc(2000)).ok).toBe(false);
    expect(r.check('p/replies/x', Buffer.alloc(16)).ok).toBe(true);
  });
});

describe('RecentIds: bounded in count and in bytes', () => {
  it('evicts the oldest once the settled values weigh more than maxBytes', async () => {
    const ids = new RecentIds<string>({ windowMs: 60_000, maxEntries: 100, maxBytes: 10_000 }, (v) => v.length);
    for (let i = 0; i < 10; i++) ids.set(`k${i}`, Promise.resolve('x'.repeat(3000)));
    await new Promise((r) => setImmediate(r));
    expect(ids.bytes).toBeLessThanOrEqual(10_000);
    expect(ids.size).toBe(3);
    expect(ids.get('k0')).toBeUndefined();
    expect(await ids.get('k9')).toHaveLength(3000);
  });
  it('evicts by count and forgets after the window', () => {
    let now = 0;
    const ids = new RecentIds<string>(
      { windowMs: 1000, maxEntries: 2, maxBytes: 1 << 20 },
      (v) => v.length,
      () => now,
    );
    for (const k of ['a', 'b', 'c']) ids.set(k, Promise.resolve(k));
    expect(ids.get('a')).toBeUndefined();
    expect(ids.get('c')).toBeDefined();
    now = 2000;
    expect(ids.get('c')).toBeUndefined();
    expect(ids.size).toBe(1);
  });
});

function rig() {
  let runs = 0;
  const dispatcher = new Dispatcher({
    zoneTable: new CommandTable(ZONE_COMMANDS),
    systemTable: new CommandTable(SYSTEM_COMMANDS),
    zoneHandler: () => async () => ({ outcome: 'success', message: `run ${++runs}` }),
    systemHandlers: { status: async () => ({ outcome: 'success', message: `run ${++runs}` }) },
    log: quiet,
    timeoutMs: 1000,
    allowedWhileStopping: new Set(),
  });
  const outcomes: {
    outcome: CommandOutcome;
    reply?: { topic: string; correlationData?: Buffer | undefined } | undefined;
  }[] = [];
  const warnings: { zone: string | null; message: string }[] = [];
  const routes = new Map<string, CommandSource>([
    ['p/system/commands', { kind: 'system' }],
    ['p/lobby/commands', { kind: 'zone', zone: 'lobby' }],
  ]);
  const intake = new CommandIntake({
    route: (topic) => routes.get(topic),
    dispatcher,
    outbound: {
      publishOutcome: (outcome, reply) => outcomes.push({ outcome, reply }),
      publishWarning: (zone, message) => warnings.push({ zone, message }),
    },
    replies: new ReplyTopics('p/replies', () => [...routes.keys()]),
    log: quiet,
  });
  const send = (topic: string, body: object, packet: Partial<IPublishPacket> = {}) =>
    intake.receive(topic, Buffer.from(JSON.stringify(body)), {
      cmd: 'publish',
      topic,
      payload: '',
      qos: 1,
      dup: false,
      retain: false,
      ...packet,
    } as IPublishPacket);
  return { send, outcomes, warnings, runs: () => runs };
}

describe('CommandIntake: the MQTT edge', () => {
  it('a retained command is never executed and says why on the warnings topic', async () => {
    const r = rig();
    await r.send('p/lobby/commands', { command: 'stopAll', id: 'old' }, { retain: true });
    expect(r.runs()).toBe(0);
    expect(r.outcomes).toEqual([]);
    expect(r.warnings).toEqual([{ zone: 'lobby', message: expect.stringContaining('retained') }]);
  });

  it('a refused response topic: the command runs, its outcome goes to events only, with a warning saying why', async () => {
    const r = rig();
    await r.send(
      'p/lobby/commands',
      { command: 'stopAll', id: 'w' },
      { properties: { responseTopic: 'p/system/commands' } },
    );
    await r.send('p/lobby/commands', { command: 'stopAll', id: 'x' }, { properties: { responseTopic: 'p/#' } });
    expect(r.runs()).toBe(2);
    expect(r.outcomes.map((o) => [o.outcome.id, o.reply])).toEqual([
      ['w', undefined],
      ['x', undefined],
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("supervisor's own topics"),
      expect.stringContaining('wildcard'),
    ]);
  });

  it('an accepted response topic gets the outcome with its correlation data', async () => {
    const r = rig();
    const correlationData = Buffer.from('c1');
    await r.send(
      'p/system/commands',
      { command: 'status', id: 'ok' },
      { properties: { responseTopic: 'p/replies/ctl', correlationData } },
    );
    expect(r.outcomes[0]?.reply).toEqual({ topic: 'p/replies/ctl', correlationData });
    expect(r.warnings).toEqual([]);
  });

  it("two controllers reusing an id both run; one controller's repeat is answered again, not run", async () => {
    const r = rig();
    const a = { properties: { responseTopic: 'p/replies/a', correlationData: Buffer.from('1') } };
    const b = { properties: { responseTopic: 'p/replies/b', correlationData: Buffer.from('1') } };
    await r.send('p/lobby/commands', { command: 'stopAll', id: 'same' }, a);
    await r.send('p/lobby/commands', { command: 'stopAll', id: 'same' }, b);
    await r.send('p/lobby/commands', { command: 'stopAll', id: 'same' }, a);
    expect(r.runs()).toBe(2);
    expect(r.outcomes.map((o) => o.outcome.message)).toEqual(['run 1', 'run 2', 'run 1']);
  });
});

describe('system stop: from the CLI always, over MQTT only with allow_host_commands', () => {
  const ctx = (origin: string) => ({
    id: null,
    source: { kind: 'system' as const },
    origin,
    signal: new AbortController().signal,
  });
  const spec = SYSTEM_COMMANDS.find((s) => s.name === 'stop')!;
  it.each([
    ['mqtt:p/system/commands', false, 'invalid'],
    ['mqtt:p/system/commands', true, 'success'],
    ['cli', false, 'success'],
  ] as const)('%s, allow_host_commands %s -> %s', async (origin, allow, outcome) => {
    let stops = 0;
    const h = systemHandlers({
      status: () => ({}),
      metrics: () => ({}),
      health: () => ({}),
      requestStop: () => stops++,
      allowHostCommands: allow,
    });
    const res = await h.stop({}, spec, ctx(origin));
    expect(res.outcome).toBe(outcome);
    await new Promise((r) => setImmediate(r));
    expect(stops).toBe(outcome === 'success' ? 1 : 0);
    if (outcome === 'invalid') expect(res.error_type).toBe('disabled');
  });
});
