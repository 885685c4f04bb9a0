import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import {
  freePort,
  MqttProbe,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  waitFor,
  type Mosquitto,
  type SupervisorProcess,
} from '@mpvisor/testkit';

const base = 'mpvs';

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, with openssl. */
function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=mpvisor test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [
    ['server', 'localhost'],
    ['client', base],
  ] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  // Mosquitto runs as root here and drops to user mosquitto: it must read these.
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  chmodSync(dir, 0o755);
}

describe('broker authentication, ACL and TLS', () => {
  const dir = tempDir('mpvs');
  const media = join(dir.path, 'media');
  const certs = join(dir.path, 'certs');
  const passwd = join(dir.path, 'passwd');
  let broker: Mosquitto;
  let tlsPort: number;
  let probe: MqttProbe;
  const sups: SupervisorProcess[] = [];

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    mkdirSync(certs);
    mkdirSync(join(dir.path, 'a'));
    mkdirSync(join(dir.path, 'b'));
    makeCerts(certs);
    execFileSync('mosquitto_passwd', ['-b', '-c', passwd, base, 'sup-secret']);
    execFileSync('mosquitto_passwd', ['-b', passwd, 'ctl', 'ctl-secret']);
    execFileSync('mosquitto_passwd', ['-b', passwd, 'intruder', 'intruder-secret']);
    writeFileSync(
      join(dir.path, 'acl'),
      ['user ctl', `topic readwrite ${base}/#`, '', 'pattern readwrite %u/#', ''].join('\n'),
    );
    chmodSync(passwd, 0o644);
    chmodSync(join(dir.path, 'acl'), 0o644);
    tlsPort = await freePort();
    broker = await startMosquitto({
      dir: dir.path,
      extra: [
        'allow_anonymous false',
        `password_file ${passwd}`,
        `acl_file ${join(dir.path, 'acl')}`,
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${join(certs, 'ca.crt')}`,
        `certfile ${join(certs, 'server.crt')}`,
        `keyfile ${join(certs, 'server.key')}`,
        'require_certificate true',
      ],
    });
    probe = await MqttProbe.connect(broker.url, { username: 'ctl', password: 'ctl-secret', protocolVersion: 5 });
    await probe.subscribe(`${base}/#`);
  }, 30_000);

  afterAll(async () => {
    for (const s of sups) await s.stop();
    await probe?.close();
    await broker?.stop();
    dir.remove();
  }, 30_000);

  it('connects over TLS with a client certificate, username and password, and serves commands', async () => {
    const ini = testConfig({ port: tlsPort, mediaDir: media, zones: ['lobby'], base }).replace(
      '[mqtt]\n',
      [
        '[mqtt]',
        `username = ${base}`,
        'password = sup-secret',
        'tls = true',
        `ca = ${join(certs, 'ca.crt')}`,
        `cert = ${join(certs, 'client.crt')}`,
        `key = ${join(certs, 'client.key')}`,
        '',
      ].join('\n'),
    );
    const sup = startSupervisor({ dir: join(dir.path, 'a'), config: ini });
    sups.push(sup);
    await probe.waitFor(`${base}/test/availability`, (m) => m.payload === 'online', 15_000);
    await probe.waitFor(`${base}/system/state`, (m) => m.json?.state === 'running', 15_000);
    const o = await probe.command(`${base}/lobby/commands`, `${base}/lobby/events`, { command: 'getState' });
    expect(o).toMatchObject({ outcome: 'success', zone: 'lobby' });
    expect(sup.output()).toContain(`"url":"mqtts://127.0.0.1:${tlsPort}"`);
  }, 30_000);

  it('the ACL decides who may command: another user is refused under MQTT 5 and nothing runs', async () => {
    const intruder = await MqttProbe.connect(broker.url, {
      username: 'intruder',
      password: 'intruder-secret',
      protocolVersion: 5,
    });
    try {
      const err = await intruder.publish(`${base}/system/commands`, { command: 'stop', id: 'intrusion' }).then(
        () => null,
        (e: Error & { code?: number }) => e,
      );
      expect(err?.code).toBe(135);
      await new Promise((r) => setTimeout(r, 300));
      expect(probe.outcomesFor(`${base}/system/events`, 'intrusion')).toEqual([]);
      // Its own subtree (pattern %u/#) is allowed.
      await intruder.publish('intruder/x', 'fine');
    } finally {
      await intruder.close();
    }
  });

  it('wrong credentials: one clear log line, retries with backoff, joins once the broker accepts them', async () => {
    const ini = testConfig({ port: broker.port, mediaDir: media, zones: ['lobby'], base: 'late' })
      .replace('[mqtt]\n', '[mqtt]\nusername = late\npassword = late-secret\nkeepalive = 5\n')
      .replace('device_name = test', 'device_name = late');
    const sup = startSupervisor({ dir: join(dir.path, 'b'), config: ini });
    sups.push(sup);
    const refused = () =>
      sup
        .output()
        .split('\n')
        .filter((l) => /"level":"(error|warn)"/.test(l) && /refused the connection|MQTT/.test(l));
    const attempts = () =>
      sup
        .output()
        .split('\n')
        .filter((l) => l.includes('"message":"MQTT connecting"'));
    await waitFor(() => attempts().length >= 3, 10_000, 'three connection attempts');
    expect(refused()).toHaveLength(1);
    expect(refused()[0]).toMatch(/CONNACK code (5|134|135)/);
    expect(refused()[0]).toMatch(/username|password/);
    // The operator fixes the password file; Mosquitto re-reads it on SIGHUP.
    execFileSync('mosquitto_passwd', ['-b', passwd, 'late', 'late-secret']);
    process.kill(broker.pid()!, 'SIGHUP');
    await waitFor(
      () => sup.output().includes('"message":"MQTT connected"'),
      40_000,
      'the late supervisor to connect',
      100,
    );
    expect(refused()).toHaveLength(1);
    expect(sup.output()).toContain('MQTT error cleared');
  }, 60_000);
});
