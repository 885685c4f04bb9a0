import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRig, freePort, runCli, tempDir, type Rig } from '@mpvisor/testkit';

// Every verb of the CLI against a real supervisor, over the control socket and over MQTT.

const BAD_INI = [
  '[mqtt]',
  'broker = 127.0.0.1',
  'port = not-a-port',
  'colour = blue',
  '[global]',
  'log_level = loud',
  '[audio:lobby]',
  'topic = t/lobby',
  'volume = 900',
  '[audio:bar]',
  'topic = t/lobby',
].join('\n');

describe('mpvisor CLI against a running supervisor', () => {
  const base = 'mpvc';
  let rig: Rig;
  let ini: string;
  const local = () => ['--run-dir', rig.sup.runDir];

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvc', base });
    const text = rig.config({ zones: ['alpha', 'beta'] });
    ini = join(rig.dir.path, 'cli.ini');
    writeFileSync(ini, text);
    rig.start(text);
    for (const z of ['alpha', 'beta']) await rig.ready(z, 0, 15_000);
  }, 30_000);

  afterAll(async () => {
    await rig?.close();
  }, 20_000);

  it('keeps the control socket private: 0600 in a 0700 run directory', () => {
    expect(statSync(rig.sup.runDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(rig.sup.runDir, 'control.sock')).mode & 0o777).toBe(0o600);
  });

  it('status: a readable table, and one JSON document with --json', async () => {
    const table = await runCli(['status', ...local()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^supervisor\s+running/);
    expect(table.stdout).toMatch(/ZONE\s+TYPE\s+STATE/);
    expect(table.stdout).toMatch(/alpha\s+audio\s+ready/);
    const json = await runCli(['status', '--json', ...local()]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.zones.map((z: { zone: string }) => z.zone)).toEqual(['alpha', 'beta']);
  }, 30_000);

  it('health: summary table and JSON', async () => {
    const table = await runCli(['health', ...local()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^healthy\s+mpv processes \d+/);
    expect(table.stdout).toMatch(/beta\s+ready\s+\d+/);
    const json = await runCli(['health', '--json', ...local()]);
    expect(JSON.parse(json.stdout)).toMatchObject({ healthy: true, mqtt_connected: true });
  }, 30_000);

  it("diagnostics: the result when implemented, otherwise exit 1 with the supervisor's message", async () => {
    const json = await runCli(['diagnostics', '--json', ...local()]);
    const doc = JSON.parse(json.stdout);
    if (doc?.type === 'command') {
      expect(doc).toMatchObject({ outcome: 'failed' });
      expect(json.code).toBe(1);
      const text = await runCli(['diagnostics', ...local()]);
      expect(text.code).toBe(1);
      expect(text.stderr).toContain(doc.message);
    } else {
      expect(json.code).toBe(0);
      expect((await runCli(['diagnostics', ...local()])).code).toBe(0);
    }
  }, 30_000);

  it('send: outcome printed; exit 0 success, 2 invalid, 1 failed; bad JSON is a usage error', async () => {
    const ok = await runCli(['send', 'alpha', '{"command":"getState"}', ...local()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^success: state/);
    const json = await runCli(['send', 'alpha', '{"command":"getState"}', '--json', ...local()]);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'command', outcome: 'success', zone: 'alpha' });
    const invalid = await runCli(['send', 'alpha', '{"command":"fly"}', ...local()]);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toContain('unknown_command');
    const missing = await runCli(['send', 'alpha', '{"command":"playBackground","file":"nope.wav"}', ...local()]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('file_not_found');
    const notJson = await runCli(['send', 'alpha', '{oops', ...local()]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('JSON object');
  }, 30_000);

  it('reset and cleanup: the outcome decides the exit code, the message is printed', async () => {
    for (const args of [
      ['reset', 'alpha'],
      ['reset', '--type', 'sockets'],
      ['cleanup', 'orphans'],
      ['cleanup', 'sockets'],
    ]) {
      const json = await runCli([...args, '--json', ...local()], 60_000);
      const outcome = JSON.parse(json.stdout);
      expect(outcome.type).toBe('command');
      const expected =
        outcome.outcome === 'success' || outcome.outcome === 'warning' ? 0 : outcome.outcome === 'invalid' ? 2 : 1;
      expect(json.code).toBe(expected);
      if (expected === 1) {
        const text = await runCli([...args, ...local()], 60_000);
        expect(text.code).toBe(1);
        expect(text.stderr).toContain(outcome.message);
        if (outcome.error_type === 'not_implemented') expect(text.stderr).toContain('not_implemented');
      }
    }
    for (const z of ['alpha', 'beta'])
      await rig.probe.waitFor(`${base}/${z}/state`, (m) => m.json?.state === 'ready', 20_000);
  }, 120_000);

  it('reset: contradictory flags are a usage error', async () => {
    const r = await runCli(['reset', '--hard', '--type', 'full', ...local()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--hard');
    const bad = await runCli(['reset', '--type', 'everything', ...local()]);
    expect(bad.code).toBe(2);
  }, 30_000);

  it('--mqtt reaches the supervisor through the broker (topics from --config or --topic)', async () => {
    const { url } = rig.broker;
    const viaConfig = await runCli(['status', '--json', '--mqtt', url, '--config', ini]);
    expect(viaConfig.code).toBe(0);
    expect(JSON.parse(viaConfig.stdout).zones).toHaveLength(2);
    const viaTopic = await runCli(['send', 'beta', '{"command":"getState"}', '--mqtt', url, '--topic', base]);
    expect(viaTopic.code).toBe(0);
    expect(viaTopic.stdout).toMatch(/^success: state/);
    const health = await runCli(['health', '--json', '--mqtt', url, '--topic', base, '--protocol-version', '4']);
    expect(JSON.parse(health.stdout).healthy).toBe(true);
    // Nobody answers on this base topic: not reachable.
    const nobody = await runCli([
      'send',
      'beta',
      '{"command":"getState"}',
      '--mqtt',
      url,
      '--topic',
      'nobody-here',
      '--wait',
      '1',
    ]);
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain('no outcome');
  }, 90_000);

  it('--help on every verb shows examples', async () => {
    const verbs = [
      ['run'],
      ['status'],
      ['health'],
      ['diagnostics'],
      ['reset'],
      ['cleanup'],
      ['send'],
      ['config', 'check'],
    ];
    // Independent processes: all at once.
    for (const r of await Promise.all(verbs.map((verb) => runCli([...verb, '--help'])))) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
  }, 60_000);
});

describe('mpvisor CLI without a supervisor', () => {
  const dir = tempDir('mpvn');
  afterAll(() => dir.remove());

  it('exit 3 when the supervisor is not running (control socket and MQTT)', async () => {
    const verbs = [
      ['status'],
      ['health'],
      ['diagnostics'],
      ['reset'],
      ['cleanup', 'orphans'],
      ['send', 'alpha', '{"command":"getState"}'],
    ];
    const port = await freePort();
    // Independent processes: all at once.
    const [viaMqtt, viaSocket] = await Promise.all([
      runCli(['status', '--mqtt', `mqtt://127.0.0.1:${port}`]),
      Promise.all(verbs.map((verb) => runCli([...verb, '--run-dir', join(dir.path, 'run')]))),
    ]);
    for (const r of viaSocket) {
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('not reachable');
    }
    expect(viaMqtt.code).toBe(3);
    expect(viaMqtt.stderr).toContain('broker not reachable');
  }, 60_000);

  it('config check and run --config list every problem with section, key and line, exit 2', async () => {
    const file = join(dir.path, 'bad.ini');
    writeFileSync(file, BAD_INI);
    const expectAll = (text: string) => {
      expect(text).toMatch(/error: mqtt\.port \(line 3\): /);
      expect(text).toMatch(/warning: mqtt\.colour \(line 4\): /);
      expect(text).toMatch(/error: global\.log_level \(line 6\): /);
      expect(text).toMatch(/error: audio:lobby\.volume \(line 9\): /);
      expect(text).toMatch(/error: audio:bar\.topic \(line 11\): /);
    };
    const check = await runCli(['config', 'check', file]);
    expect(check.code).toBe(2);
    expectAll(check.stderr);
    const json = await runCli(['config', 'check', file, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, errors: 4, warnings: 1 });
    const run = await runCli([
      'run',
      '--config',
      file,
      '--run-dir',
      join(dir.path, 'run2'),
      '--state-dir',
      join(dir.path, 'state2'),
    ]);
    expect(run.code).toBe(2);
    expectAll(run.stderr);
  }, 30_000);

  it('config check: warnings only is exit 0, missing file is exit 2', async () => {
    const file = join(dir.path, 'ok.ini');
    writeFileSync(file, ['[mqtt]', 'broker = embedded', 'shiny = yes', '[audio:hall]', 'topic = x/hall'].join('\n'));
    const r = await runCli(['config', 'check', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: mqtt\.shiny \(line 3\)/);
    expect(r.stdout).toContain('OK (1 zone: audio:hall; 1 warning)');
    const missing = await runCli(['config', 'check', join(dir.path, 'nope.ini')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file not found');
  }, 30_000);
});
