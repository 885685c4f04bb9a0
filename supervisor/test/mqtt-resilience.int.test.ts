import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import {
  cliPath,
  createRig,
  freePort,
  MqttProbe,
  sleep,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
} from '@mpvisor/testkit';

/** testConfig plus [mqtt] keys. */
const withMqtt = (ini: string, lines: string[]) => ini.replace('[mqtt]\n', `[mqtt]\n${lines.join('\n')}\n`);

/** How many times the supervisor executed (not merely answered) the command with this id. */
const executions = (output: string, id: string) =>
  output.split('\n').filter((l) => l.includes('"message":"command"') && l.includes(`"id":"${id}"`)).length;

describe('broker restarts while commands flow', () => {
  it('every QoS 1 command gets an outcome, none is executed twice, subscriptions and retained state come back', async () => {
    const base = 'mpvr';
    const rig = await createRig({ prefix: 'mpvr', base });
    const { broker, probe } = rig;
    const sup = rig.start(withMqtt(rig.config({ zones: ['lobby', 'vault'] }), ['keepalive = 5']));
    const zones = ['lobby', 'vault'];
    try {
      await probe.waitFor(`${base}/system/state`, (m) => m.json?.state === 'running', 15_000);
      const sent = new Map<string, string>(); // id -> zone
      let running = true;
      let n = 0;
      const send = (id: string, zone: string) =>
        probe.client.publish(
          `${base}/${zone}/commands`,
          JSON.stringify({ command: 'getState', id }),
          { qos: 1 },
          () => {},
        );
      const loop = (async () => {
        while (running) {
          const zone = zones[n % 2]!;
          const id = `c-${n++}`;
          sent.set(id, zone);
          send(id, zone);
          await sleep(15);
        }
      })();
      await sleep(1500);
      await broker.kill('SIGKILL');
      await sleep(1000);
      await broker.start();
      await sleep(2000);
      await broker.kill('SIGTERM');
      await sleep(1000);
      await broker.start();
      await sleep(2000);
      running = false;
      await loop;

      const outcomes = (id: string) => probe.outcomesFor(`${base}/${sent.get(id)}/events`, id).map((m) => m.json);
      const missing = () => [...sent.keys()].filter((id) => outcomes(id).length === 0);
      // A command the broker accepted and then lost with its own death is retried by the client
      // with the same id: the supervisor answers it (again, if it had run) without running it twice.
      let retried = 0;
      for (let round = 0; round < 4 && missing().length > 0; round++) {
        await waitFor(() => missing().length === 0, 3000, 'outcomes').catch(() => undefined);
        for (const id of missing()) {
          retried++;
          send(id, sent.get(id)!);
        }
      }
      await sleep(500);
      expect(sent.size).toBeGreaterThan(200);
      expect(missing()).toEqual([]);
      const out = sup.output();
      let duplicates = 0;
      for (const id of sent.keys()) {
        const all = outcomes(id);
        duplicates += all.length - 1;
        const key = (o: any) => JSON.stringify([o.id, o.command, o.zone, o.outcome, o.error_type, o.duration_ms]);
        expect(new Set(all.map(key)).size).toBe(1);
        expect(all[0].outcome).toBe('success');
        expect({ id, executions: executions(out, id) }).toEqual({ id, executions: 1 });
      }
      console.log(
        `broker restarts: ${sent.size} commands, ${retried} retried by the client, ${duplicates} answered more than once, 0 executed twice`,
      );

      // Subscriptions survived: a fresh command is answered on both zones.
      for (const zone of zones) {
        expect(
          (await probe.command(`${base}/${zone}/commands`, `${base}/${zone}/events`, { command: 'getState' })).outcome,
        ).toBe('success');
      }
      // Retained state is current on the restarted (empty, persistence off) broker.
      const late = await MqttProbe.connect(broker.url);
      await late.subscribe([
        `${base}/test/availability`,
        `${base}/system/state`,
        `${base}/lobby/state`,
        `${base}/vault/state`,
        `${base}/system/metrics`,
      ]);
      expect((await late.waitFor(`${base}/test/availability`, (m) => m.retain, 3000)).payload).toBe('online');
      expect((await late.waitFor(`${base}/system/state`, (m) => m.retain, 3000)).json.state).toBe('running');
      for (const zone of zones)
        expect((await late.waitFor(`${base}/${zone}/state`, (m) => m.retain, 3000)).json.state).toBe('ready');
      const metrics = await late.waitFor(`${base}/system/metrics`, (m) => m.retain, 3000);
      expect(metrics.json.mqtt.reconnects).toBeGreaterThanOrEqual(2);
      await late.close();

      // A clean stop publishes offline itself (a clean disconnect sends no will) and exits 0.
      const since = Date.now();
      await sup.stop();
      expect((await sup.exited).code).toBe(0);
      await probe.waitFor(`${base}/test/availability`, (m) => m.payload === 'offline', 3000, since);
    } finally {
      await rig.close();
    }
  }, 90_000);
});

describe('Last Will', () => {
  it('the broker publishes offline after keepalive when the supervisor freezes, and at once when it is SIGKILLed', async () => {
    const base = 'mpvw';
    const rig = await createRig({ prefix: 'mpvw', base });
    const { probe } = rig;
    const sup = rig.start(withMqtt(rig.config({ zones: ['lobby'] }), ['keepalive = 2']));
    const avail = `${base}/test/availability`;
    try {
      await probe.waitFor(avail, (m) => m.payload === 'online', 15_000);
      // Frozen: the socket stays open, only keepalive (x1.5) can reveal it.
      let since = Date.now();
      process.kill(sup.pid, 'SIGSTOP');
      const will = await probe.waitFor(avail, (m) => m.payload === 'offline', 6000, since);
      const frozenMs = will.at - since;
      expect(frozenMs).toBeGreaterThan(2000);
      expect(frozenMs).toBeLessThan(8000); // Mosquitto 2.0.11 checks at 1.5 x keepalive, coarsely
      since = Date.now();
      process.kill(sup.pid, 'SIGCONT');
      await probe.waitFor(avail, (m) => m.payload === 'online', 10_000, since);
      since = Date.now();
      sup.child.kill('SIGKILL');
      const dead = await probe.waitFor(avail, (m) => m.payload === 'offline', 3000, since);
      console.log(`Last Will: ${frozenMs} ms after SIGSTOP (keepalive 2 s), ${dead.at - since} ms after SIGKILL`);
      expect(dead.at - since).toBeLessThan(2000);
    } finally {
      try {
        process.kill(sup.pid, 'SIGCONT');
      } catch {
        /* gone */
      }
      await rig.close();
    }
  }, 60_000);
});

describe('broker absent at start', () => {
  it('zones and the CLI work without a broker; MQTT joins when the broker appears', async () => {
    const dir = tempDir('mpva');
    const media = join(dir.path, 'media');
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    const base = 'mpva';
    const port = await freePort();
    const sup = startSupervisor({
      dir: dir.path,
      config: testConfig({ port, mediaDir: media, zones: ['lobby'], base }),
    });
    let broker: Awaited<ReturnType<typeof startMosquitto>> | null = null;
    let probe: MqttProbe | null = null;
    try {
      const status = await waitFor(
        () => {
          const s = JSON.parse(
            execFileSync(process.execPath, [cliPath, 'status', '--json', '--run-dir', sup.runDir], {
              encoding: 'utf8',
            }),
          );
          return s.zones[0]?.state === 'ready' ? s : null;
        },
        15_000,
        'lobby ready without a broker',
        250,
      );
      expect(status.system.mqtt.connected).toBe(false);
      expect(status.system.state).toBe('running');
      await sleep(1500);
      // One clear line, not one per retry.
      const lines = sup
        .output()
        .split('\n')
        .filter((l) => l.includes('connection failed'));
      expect(lines.length).toBe(1);
      broker = await startMosquitto({ dir: dir.path, port });
      probe = await MqttProbe.connect(broker.url);
      await probe.subscribe(`${base}/#`);
      await probe.waitFor(`${base}/system/state`, (m) => m.json?.state === 'running', 35_000);
      expect((await probe.waitFor(`${base}/test/availability`, () => true, 3000)).payload).toBe('online');
      const o = await probe.command(`${base}/lobby/commands`, `${base}/lobby/events`, { command: 'getState' });
      expect(o.outcome).toBe('success');
    } finally {
      await sup.stop();
      await probe?.close();
      await broker?.stop();
      dir.remove();
    }
  }, 70_000);
});
