import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import {
  MqttProbe,
  sleep,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
  type Mosquitto,
  type SupervisorProcess,
} from '@mpvisor/testkit';

// Issue 17's MQTT attacks, on a real Mosquitto with a password file and an ACL. The supervisor's own
// user may write anywhere under its base topic and allow_host_commands is on (a live `stop` over MQTT
// would end it): the worst case, so what stops each attack is mpvisor, not a careful ACL.
const base = 'mpva';
const sys = `${base}/system`;

describe('MQTT attacks from issue 17 fail', () => {
  const dir = tempDir('mpva');
  const media = join(dir.path, 'media');
  const passwd = join(dir.path, 'passwd');
  const acl = join(dir.path, 'acl');
  let broker: Mosquitto;
  let ctl: MqttProbe;
  let sup: SupervisorProcess | null = null;

  const config = (protocol: 4 | 5) =>
    testConfig({ port: broker.port, mediaDir: media, zones: ['lobby'], base, extra: 'allow_host_commands = true' })
      // Generous for a loaded shared machine: these tests are about MQTT, not start-up speed.
      .replace('startup_timeout_ms = 8000', 'startup_timeout_ms = 30000')
      .replace(
        '[mqtt]\n',
        ['[mqtt]', `username = ${base}`, 'password = sup-secret', `protocol_version = ${protocol}`, ''].join('\n'),
      );
  const connects = () => sup!.output().split('"message":"MQTT connected"').length - 1;
  const running = async () => {
    expect(sup!.child.exitCode).toBeNull();
    const o = await ctl.command(`${sys}/command`, `${sys}/events`, { command: 'status' });
    expect(o).toMatchObject({ outcome: 'success' });
    expect(o.result.zones.find((z: { zone: string }) => z.zone === 'lobby')).toMatchObject({ state: 'ready' });
  };
  const startSup = async (protocol: 4 | 5, sub: string) => {
    mkdirSync(join(dir.path, sub));
    const since = Date.now();
    sup = startSupervisor({ dir: join(dir.path, sub), config: config(protocol) });
    await ctl.waitFor(`${base}/lobby/state`, (m) => m.json?.state === 'ready', 60_000, since);
    await ctl.waitFor(`${sys}/state`, (m) => m.json?.state === 'running', 60_000, since);
  };

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    const db = join(dir.path, 'db');
    mkdirSync(db);
    chmodSync(db, 0o777);
    execFileSync('mosquitto_passwd', ['-b', '-c', passwd, base, 'sup-secret']);
    execFileSync('mosquitto_passwd', ['-b', passwd, 'ctl', 'ctl-secret']);
    execFileSync('mosquitto_passwd', ['-b', passwd, 'lobbyonly', 'lobby-secret']);
    writeFileSync(
      acl,
      [
        `user ${base}`,
        `topic readwrite ${base}/#`,
        'user ctl',
        `topic write ${base}/+/commands`,
        `topic write ${sys}/command`,
        `topic read ${base}/#`,
        'user lobbyonly',
        `topic write ${base}/lobby/commands`,
        `topic read ${base}/lobby/#`,
        `topic read ${base}/replies/lobbyonly/#`,
        '',
      ].join('\n'),
    );
    chmodSync(passwd, 0o644);
    chmodSync(acl, 0o644);
    broker = await startMosquitto({
      dir: dir.path,
      extra: [
        'allow_anonymous false',
        `password_file ${passwd}`,
        `acl_file ${acl}`,
        'persistence true',
        `persistence_location ${db}/`,
      ],
    });
    ctl = await MqttProbe.connect(broker.url, { username: 'ctl', password: 'ctl-secret', protocolVersion: 5 });
    await ctl.subscribe(`${base}/#`);
    await startSup(5, 'v5');
  }, 90_000);

  afterAll(async () => {
    await sup?.stop();
    await ctl?.close();
    await broker?.stop();
    dir.remove();
  }, 30_000);

  it('attack 1: a zone-only user cannot make anything happen on the system topic through a response topic', async () => {
    const zoneUser = await MqttProbe.connect(broker.url, {
      username: 'lobbyonly',
      password: 'lobby-secret',
      protocolVersion: 5,
    });
    try {
      await zoneUser.subscribe(`${base}/lobby/#`);
      // Directly, the broker refuses it.
      const denied = await zoneUser.publish(`${sys}/commands`, { command: 'stop', id: 'a1-direct' }).then(
        () => null,
        (e: Error & { code?: number }) => e,
      );
      expect(denied?.code).toBe(135);
      const since = Date.now();
      for (const [i, responseTopic] of [`${sys}/commands`, `${sys}/command`, `${base}/lobby/commands`].entries()) {
        await zoneUser.client.publishAsync(
          `${base}/lobby/commands`,
          JSON.stringify({ command: 'stop', id: `a1-${i}` }),
          { qos: 1, properties: { responseTopic } },
        );
        const outcome = await zoneUser.waitFor(
          `${base}/lobby/events`,
          (m) => m.json?.type === 'command' && m.json.id === `a1-${i}`,
        );
        expect(outcome.json).toMatchObject({ outcome: 'invalid', error_type: 'unknown_command' });
        const warning = await zoneUser.waitFor(`${base}/lobby/warnings`, (m) => m.json?.id === `a1-${i}`);
        expect(warning.json.message).toContain("supervisor's own topics");
      }
      await sleep(500);
      // Nothing was published on a command topic, and no system command ran.
      const onCommandTopics = ctl.messages.filter(
        (m) => m.at >= since && (m.topic.endsWith('/commands') || m.topic === `${sys}/command`),
      );
      expect(onCommandTopics.map((m) => [m.topic, m.json?.type ?? null])).toEqual(
        [0, 1, 2].map(() => [`${base}/lobby/commands`, null]),
      );
      expect(
        ctl.messages.filter((m) => m.at >= since && m.topic === `${sys}/events` && m.json?.type === 'command'),
      ).toEqual([]);
      await running();
    } finally {
      await zoneUser.close();
    }
  }, 30_000);

  it('attack 2: wildcard and $ response topics change nothing and the supervisor stays connected; a valid one is answered', async () => {
    const before = connects();
    const since = Date.now();
    for (const [i, responseTopic] of [
      `${base}/#`,
      `${base}/replies/#`,
      `${base}/replies/+/x`,
      '$SYS/broker/x',
      `other/${base}`,
    ].entries()) {
      await ctl.client.publishAsync(`${base}/lobby/commands`, JSON.stringify({ command: 'getState', id: `a2-${i}` }), {
        qos: 1,
        properties: { responseTopic, correlationData: Buffer.from(`c${i}`) },
      });
      const outcome = await ctl.waitFor(
        `${base}/lobby/events`,
        (m) => m.json?.type === 'command' && m.json.id === `a2-${i}`,
      );
      expect(outcome.json.outcome).toBe('success');
      const warning = await ctl.waitFor(`${base}/lobby/warnings`, (m) => m.json?.id === `a2-${i}`);
      expect(warning.json.message).toMatch(/no reply sent.*refused because/);
    }
    await ctl.client.publishAsync(`${base}/lobby/commands`, JSON.stringify({ command: 'getState', id: 'a2-ok' }), {
      qos: 1,
      properties: { responseTopic: `${base}/replies/ctl/1`, correlationData: Buffer.from('ok') },
    });
    const reply = await ctl.waitFor(`${base}/replies/ctl/1`, (m) => m.json?.id === 'a2-ok');
    expect(reply.json.outcome).toBe('success');
    // Let a reconnect (if the broker had dropped us) show in the log before counting.
    await sleep(1500);
    expect(connects()).toBe(before);
    expect(sup!.output()).not.toContain('MQTT connection lost');
    expect(
      ctl.messages.filter((m) => m.at >= since && m.topic.startsWith(`${base}/replies/`)).map((m) => m.json?.id),
    ).toEqual(['a2-ok']);
    await running();
  }, 30_000);

  it('attack 3: a retained stop is ignored at start and after a broker restart (MQTT 5, then 3.1.1)', async () => {
    await sup!.stop();
    sup = null;
    await ctl.client.publishAsync(`${sys}/commands`, JSON.stringify({ command: 'stop', id: 'a3' }), {
      qos: 1,
      retain: true,
    });
    await ctl.waitFor(`${sys}/commands`, (m) => m.json?.id === 'a3');
    for (const protocol of [5, 4] as const) {
      await startSup(protocol, `retained-v${protocol}`);
      await sleep(1000);
      await running();
      // SIGTERM: Mosquitto saves its store (the retained stop included) and loads it again.
      await broker.kill('SIGTERM');
      await broker.start();
      await waitFor(() => connects() >= 2, 20_000, 'the supervisor to reconnect');
      await ctl.waitFor(`${sys}/commands`, (m) => m.json?.id === 'a3' && m.retain, 10_000);
      await sleep(1500);
      await running();
      expect(ctl.outcomesFor(`${sys}/events`, 'a3')).toEqual([]);
      // MQTT 5 asks the broker not to send retained messages at all; 3.1.1 gets them and says why it ignores them.
      const ignored = sup!.output().split('ignored a retained message').length - 1;
      if (protocol === 5) expect(ignored).toBe(0);
      else expect(ignored).toBeGreaterThanOrEqual(2);
      await sup!.stop();
      sup = null;
    }
  }, 240_000);
});
