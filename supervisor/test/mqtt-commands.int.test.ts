import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ERROR_TYPES, SYSTEM_COMMANDS, ZONE_COMMANDS } from '@mpvisor/protocol';
import { createRig, MqttProbe, waitFor, type Rig } from '@mpvisor/testkit';

const base = 'mpvc';
const T = {
  lobby: { cmd: `${base}/lobby/commands`, events: `${base}/lobby/events` },
  system: { cmd: `${base}/system/commands`, events: `${base}/system/events` },
  systemSingular: { cmd: `${base}/system/command`, events: `${base}/system/events` },
};

type Where = keyof typeof T;
/** A row: name, topic, payload (an object gets a fresh id; a string or Buffer is sent as is), expected error_type. */
type Row = [string, Where, object | string | Buffer, keyof typeof ERROR_TYPES];

const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

const ROWS: Row[] = [
  ['not JSON', 'lobby', '{not json', 'invalid_json'],
  ['JSON array', 'lobby', '[{"command":"getState"}]', 'not_an_object'],
  ['JSON string', 'lobby', '"getState"', 'not_an_object'],
  ['JSON number', 'lobby', '42', 'not_an_object'],
  ['JSON true', 'lobby', 'true', 'not_an_object'],
  ['null payload', 'lobby', 'null', 'not_an_object'],
  ['empty payload', 'lobby', '', 'invalid_json'],
  ['whitespace payload', 'lobby', '  \n\t ', 'invalid_json'],
  ['binary garbage', 'lobby', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x9f, 0xc3, 0x28]), 'invalid_json'],
  ['literal NaN', 'lobby', '{"command":"setVolume","volume":NaN}', 'invalid_json'],
  ['trailing garbage', 'lobby', '{"command":"getState"} x', 'invalid_json'],
  [
    'huge payload > 64 KiB',
    'lobby',
    JSON.stringify({ command: 'getState', pad: 'x'.repeat(70 * 1024) }),
    'payload_too_large',
  ],
  ['deep nesting (40)', 'lobby', `{"command":"getState","x":${deep(40)}}`, 'too_deep'],
  ['hostile nesting (30,000)', 'lobby', deep(30_000), 'too_deep'],
  ['missing command', 'lobby', { volume: 10 }, 'missing_command'],
  ['command null', 'lobby', { command: null }, 'missing_command'],
  ['command numeric', 'lobby', { command: 5 }, 'missing_command'],
  ['command empty', 'lobby', { command: '   ' }, 'missing_command'],
  ['command array', 'lobby', { command: ['getState'] }, 'missing_command'],
  ['unknown command', 'lobby', { command: 'fly' }, 'unknown_command'],
  ['unknown command via Command alias', 'lobby', { Command: 'fly' }, 'unknown_command'],
  ['wrong case command', 'lobby', { command: 'GETSTATE' }, 'unknown_command'],
  ['id too long', 'lobby', `{"command":"getState","id":"${'i'.repeat(65)}"}`, 'invalid_id'],
  ['id numeric', 'lobby', '{"command":"getState","id":42}', 'invalid_id'],
  ['id object', 'lobby', '{"command":"getState","id":{"a":1}}', 'invalid_id'],
  ['path traversal', 'lobby', { command: 'playBackground', file: '../../../etc/passwd' }, 'path_outside_media'],
  ['leading / climbing out', 'lobby', { command: 'playSoundEffect', file: '/../../etc/passwd' }, 'path_outside_media'],
  ['symlink escape', 'lobby', { command: 'playBackground', file: 'escape.wav' }, 'path_outside_media'],
  ['symlinked folder escape', 'lobby', { command: 'playSpeech', file: 'outdir/outside.wav' }, 'path_outside_media'],
  ['NUL byte in path', 'lobby', { command: 'playBackground', file: 'tone-220.wav\u0000.txt' }, 'invalid_argument'],
  ['empty path', 'lobby', { command: 'playBackground', file: '' }, 'invalid_argument'],
  ['path not a string', 'lobby', { command: 'playBackground', file: 5 }, 'invalid_argument'],
  ['missing file', 'lobby', { command: 'playBackground' }, 'invalid_argument'],
  ['path too long', 'lobby', { command: 'playBackground', file: 'a/'.repeat(600) }, 'invalid_argument'],
  ['NaN volume (string)', 'lobby', { command: 'setVolume', volume: 'NaN' }, 'invalid_argument'],
  ['Infinity volume', 'lobby', '{"command":"setVolume","volume":1e999}', 'invalid_argument'],
  ['volume out of range', 'lobby', { command: 'setVolume', volume: 500 }, 'invalid_argument'],
  ['negative volume', 'lobby', { command: 'setBackgroundMusicVolume', volume: -1 }, 'invalid_argument'],
  ['volume object', 'lobby', { command: 'setVolume', volume: { v: 1 } }, 'invalid_argument'],
  ['negative fadeTime', 'lobby', { command: 'stopBackground', fadeTime: -1 }, 'invalid_argument'],
  ['fadeTime word', 'lobby', { command: 'stopAll', FadeTime: 'slow' }, 'invalid_argument'],
  ['ducking beyond 100', 'lobby', { command: 'playSpeech', file: 'speech-1.wav', ducking: 120 }, 'invalid_argument'],
  [
    'loop not boolean',
    'lobby',
    { command: 'playBackground', file: 'tone-220.wav', loop: 'sometimes' },
    'invalid_argument',
  ],
  [
    'mpv property not allowed',
    'lobby',
    { command: 'getMpvProperty', role: 'background', property: 'stream-open-filename' },
    'invalid_argument',
  ],
  ['screen command on audio zone', 'lobby', { command: 'playVideo', file: 'tone-220.wav' }, 'not_supported'],
  ['system: not JSON on /command', 'systemSingular', '{"command":', 'invalid_json'],
  ['system: array', 'system', '[]', 'not_an_object'],
  ['system: unknown command', 'system', { command: 'selfDestruct' }, 'unknown_command'],
  [
    'system: zone command on system topic',
    'system',
    { command: 'playBackground', file: 'tone-220.wav' },
    'unknown_command',
  ],
  ['system: reset unknown zone', 'system', { command: 'reset', zones: ['lobby', 'nope'] }, 'unknown_zone'],
  ['system: reset zones not a list', 'system', { command: 'reset', zones: 'lobby' }, 'invalid_argument'],
  ['system: reset zone name empty', 'system', { command: 'reset_audio', zones: [''] }, 'invalid_argument'],
  ['system: reset zone name not a string', 'system', { command: 'reset', zones: [7] }, 'invalid_argument'],
  ['system: reset level unknown', 'system', { command: 'reset', level: 'medium' }, 'invalid_argument'],
  ['system: system_reset unknown type', 'system', { command: 'system_reset', type: 'bogus' }, 'invalid_argument'],
  ['system: system_reset negative timeout', 'system', { command: 'system_reset', timeout: -5 }, 'invalid_argument'],
  [
    'system: system_reset unknown zone',
    'system',
    { command: 'system_reset', type: 'audio', zones: ['../lobby'] },
    'unknown_zone',
  ],
  ['system: host command disabled', 'system', { command: 'reboot' }, 'disabled'],
  ['system: killPfx disabled', 'system', { Command: 'killPfx' }, 'disabled'],
  ['system: stop over MQTT disabled', 'system', { command: 'stop' }, 'disabled'],
];

describe('MQTT control plane: every command gets exactly one outcome', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvc', base });
    // Outside the media folder: a file, a symlink to it, and a symlinked folder.
    writeFileSync(join(rig.dir.path, 'outside.wav'), 'not media');
    symlinkSync(join(rig.dir.path, 'outside.wav'), join(rig.media, 'escape.wav'));
    symlinkSync(rig.dir.path, join(rig.media, 'outdir'));
    rig.start(rig.config({ zones: ['lobby', 'vault'] }));
    await rig.probe.waitFor(`${base}/system/state`, (m) => m.json?.state === 'running', 15_000);
  }, 25_000);

  afterAll(async () => {
    await rig?.close();
  }, 20_000);

  it(`answers ${ROWS.length} kinds of bad input with invalid and a specific error_type, then keeps serving`, async () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
    const seen: Array<{ name: string; error_type: string; outcome: string; id: string | null }> = [];
    for (const [name, where, payload, expected] of ROWS) {
      const { cmd, events } = T[where];
      const id = typeof payload === 'object' && !Buffer.isBuffer(payload) ? `bad-${randomUUID()}` : null;
      const body = id !== null ? JSON.stringify({ ...payload, id }) : payload;
      const since = Date.now();
      const before = rig.probe.messages.length;
      await rig.probe.client.publishAsync(cmd, body as string | Buffer, { qos: 1 });
      // Sent one at a time: an unreadable id is matched as the next outcome on that topic.
      const m = await waitFor(
        () =>
          rig.probe.messages
            .slice(before)
            .find(
              (r) =>
                r.topic === events && r.json?.type === 'command' && r.at >= since && (id === null || r.json.id === id),
            ),
        5000,
        `the outcome of "${name}"`,
        5,
      );
      seen.push({ name, error_type: m.json.error_type, outcome: m.json.outcome, id: m.json.id });
      expect({ name, outcome: m.json.outcome, error_type: m.json.error_type }).toEqual({
        name,
        outcome: 'invalid',
        error_type: expected,
      });
      if (id !== null) expect(m.json.id).toBe(id);
      expect(typeof m.json.message).toBe('string');
      expect(m.json.message.length).toBeGreaterThan(5);
    }
    // Exactly one outcome per bad command that carried an id.
    const count = (id: string) =>
      rig.probe.messages.filter((r) => r.json?.type === 'command' && r.json?.id === id).length;
    for (const s of seen)
      if (s.id !== null) expect({ name: s.name, outcomes: count(s.id) }).toEqual({ name: s.name, outcomes: 1 });
    expect(rig.sup.child.exitCode).toBeNull();
    const ok = await rig.probe.command(T.lobby.cmd, T.lobby.events, { command: 'getState' });
    expect(ok).toMatchObject({ outcome: 'success', zone: 'lobby' });
    const status = await rig.probe.command(T.system.cmd, T.system.events, { command: 'status' });
    expect(status.outcome).toBe('success');
    expect(status.result.zones.map((z: { zone: string }) => z.zone)).toEqual(['lobby', 'vault']);
  }, 60_000);

  it('accepts the ParadoxFX Command spelling and aliases, on both system topics', async () => {
    const a = await rig.probe.command(T.lobby.cmd, T.lobby.events, { Command: 'getStatus' });
    expect(a).toMatchObject({ outcome: 'success', command: 'getStatus' });
    const b = await rig.probe.command(T.systemSingular.cmd, T.system.events, { command: 'help' });
    expect(b.outcome).toBe('success');
  });

  it('help lists every registered system and zone command with a description', async () => {
    const help = await rig.probe.command(T.system.cmd, T.system.events, { command: 'help' });
    const sys = help.result.system.map((c: { command: string }) => c.command);
    const zone = help.result.zone.map((c: { command: string }) => c.command);
    expect(sys).toEqual(SYSTEM_COMMANDS.map((s) => s.name));
    expect(zone).toEqual(ZONE_COMMANDS.map((s) => s.name));
    for (const c of [...help.result.system, ...help.result.zone]) expect(c.description.length).toBeGreaterThan(10);
    expect(help.result.zone.find((c: { command: string }) => c.command === 'playSoundEffect').aliases).toContain(
      'playAudioFX',
    );
  });

  it('MQTT 5: the outcome also goes to the Response Topic with the same Correlation Data', async () => {
    const v5 = await MqttProbe.connect(rig.broker.url, { protocolVersion: 5 });
    try {
      const replies: Array<{ topic: string; json: any; corr: string | undefined }> = [];
      v5.client.on('message', (topic, payload, packet) => {
        if (topic.startsWith(`${base}/replies/`))
          replies.push({
            topic,
            json: JSON.parse(payload.toString()),
            corr: packet.properties?.correlationData?.toString(),
          });
      });
      await v5.subscribe(`${base}/replies/#`);
      const cases = [
        { topic: T.lobby.cmd, body: { command: 'getState', id: 'v5-ok' }, corr: 'corr-1', outcome: 'success' },
        { topic: T.system.cmd, body: { command: 'status', id: 'v5-sys' }, corr: 'corr-2', outcome: 'success' },
        { topic: T.lobby.cmd, body: '{broken', corr: 'corr-3', outcome: 'invalid' },
      ];
      for (const c of cases) {
        await v5.client.publishAsync(c.topic, typeof c.body === 'string' ? c.body : JSON.stringify(c.body), {
          qos: 1,
          properties: { responseTopic: `${base}/replies/me`, correlationData: Buffer.from(c.corr) },
        });
      }
      await waitFor(() => replies.length >= cases.length, 5000, 'three replies');
      await new Promise((r) => setTimeout(r, 200));
      expect(replies).toHaveLength(cases.length);
      for (const c of cases) {
        const r = replies.find((x) => x.corr === c.corr);
        expect(r?.json.outcome).toBe(c.outcome);
        if (typeof c.body !== 'string') expect(r?.json.id).toBe(c.body.id);
      }
    } finally {
      await v5.close();
    }
  });

  it('metrics: the command and the retained {system}/metrics topic carry MQTT and command counters', async () => {
    const m = await rig.probe.command(T.system.cmd, T.system.events, { command: 'metrics' });
    expect(m.outcome).toBe('success');
    expect(m.result.mqtt).toMatchObject({ connected: true, queue_depth: 0, dropped: 0, publish_failures: 0 });
    expect(m.result.mqtt.published).toBeGreaterThan(10);
    expect(typeof m.result.mqtt.last_connect).toBe('string');
    expect(m.result.commands.by_outcome.invalid).toBeGreaterThanOrEqual(ROWS.length);
    const late = await MqttProbe.connect(rig.broker.url);
    try {
      await late.subscribe(`${base}/system/metrics`);
      const r = await late.waitFor(`${base}/system/metrics`, () => true, 3000);
      expect(r.retain).toBe(true);
      expect(r.json.mqtt).toHaveProperty('reconnects');
      expect(r.json.commands).toHaveProperty('received');
    } finally {
      await late.close();
    }
  });

  it('heartbeat has ParadoxFX fields', async () => {
    // A heartbeat sent while a zone was still starting truthfully says degraded: wait for one after start-up.
    const hb = await rig.probe.waitFor(
      `${base}/heartbeat`,
      (m) => Object.values(m.json?.zone_states ?? { x: 'starting' }).every((z) => z === 'ready'),
      5000,
    );
    expect(Object.keys(hb.json)).toEqual(
      expect.arrayContaining([
        'timestamp',
        'application',
        'device_name',
        'ip_address',
        'status',
        'uptime',
        'zones',
        'zone_states',
      ]),
    );
    expect(hb.json).toMatchObject({
      application: 'pfx',
      implementation: 'mpvisor',
      device_name: 'test',
      status: 'online',
      zones: {
        'audio:lobby': { status: 'idle', focus: 'mpv', browser_enabled: false },
        'audio:vault': { status: 'idle', focus: 'mpv', browser_enabled: false },
      },
      zone_states: { lobby: 'ready', vault: 'ready' },
    });
  });

  it('a repeated id is answered again with the same outcome, not executed again', async () => {
    const first = await rig.probe.command(T.lobby.cmd, T.lobby.events, { command: 'getState', id: 'dup-x' });
    await rig.probe.publish(T.lobby.cmd, { command: 'getState', id: 'dup-x' });
    await waitFor(() => rig.probe.outcomesFor(T.lobby.events, 'dup-x').length >= 2, 5000, 'the second answer');
    const [a, b] = rig.probe.outcomesFor(T.lobby.events, 'dup-x').map((m) => m.json);
    expect(b.duration_ms).toBe(a.duration_ms);
    expect(b.result).toEqual(first.result);
    // The log reaches the supervisor's stdout a moment after the answer reaches MQTT: the line about the
    // second answer is logged after the first command's own line, so once it is there both would be.
    const lines = () =>
      rig.sup
        .output()
        .split('\n')
        .filter((l) => l.includes('"dup-x"'));
    await waitFor(
      () => lines().some((l) => l.includes('duplicate command id answered again')),
      5000,
      'the log line of the second answer',
    );
    expect(lines().filter((l) => l.includes('"message":"command"'))).toHaveLength(1);
  });

  // Last: if some are implemented by now, they really act (reset, pause...).
  it('reset-type system commands never pretend success: not_implemented until implemented', async () => {
    const names = [
      'reset',
      'system_reset',
      'reset_audio',
      'reset_sockets',
      'cleanup_orphans',
      'restart',
      'reload_config',
      'pause',
      'resume',
      'diagnostics',
    ];
    for (const command of names) {
      const o = await rig.probe.command(T.system.cmd, T.system.events, { command }, 20_000);
      const ids = rig.probe.outcomesFor(T.system.events, o.id);
      expect(ids).toHaveLength(1);
      if (o.error_type === 'not_implemented') expect(o).toMatchObject({ outcome: 'failed', command });
      else expect(['success', 'warning', 'failed']).toContain(o.outcome);
    }
  }, 120_000);
});
