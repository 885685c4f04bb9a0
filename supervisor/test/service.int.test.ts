import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSupervisor, testConfig, waitFor, type SupervisorProcess } from '@mpvisor/testkit';
import { zoneHarness } from './zone-harness.js';

// Service integration with real processes: the systemd watchdog (a datagram receiver stands in for
// systemd, as in shutdown.int.test.ts) and speech drained at shutdown.

/** A python AF_UNIX datagram receiver (Node cannot bind one) printing each message with its arrival (ms). */
async function notifyReceiver(
  dir: string,
): Promise<{ sock: string; messages: () => Array<{ at: number; text: string }>; child: ChildProcess }> {
  const sock = join(dir, 'notify.sock');
  const script = join(dir, 'notify-recv.py');
  writeFileSync(
    script,
    [
      'import socket, sys, time',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      's.bind(sys.argv[1])',
      'print("LISTENING", flush=True)',
      'while True:',
      '    data = s.recv(65536)',
      '    print("%d %s" % (time.monotonic() * 1000, data.decode(errors="replace").replace("\\n", " | ")), flush=True)',
    ].join('\n'),
  );
  const child = spawn('python3', [script, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  child.stdout!.on('data', (d: Buffer) => (got += d.toString()));
  await waitFor(() => got.includes('LISTENING'), 5000, 'the notify receiver');
  const messages = () =>
    got
      .split('\n')
      .filter((l) => /^\d+ /.test(l))
      .map((l) => ({ at: Number(l.slice(0, l.indexOf(' '))), text: l.slice(l.indexOf(' ') + 1) }));
  return { sock, messages, child };
}

describe('systemd watchdog', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;
  let receiver: Awaited<ReturnType<typeof notifyReceiver>> | undefined;
  let sup: SupervisorProcess | undefined;

  beforeAll(async () => {
    // The harness's own supervisor is not the one under test; this file starts its own below.
    h = await zoneHarness('mpvwd', (port, media, base) => testConfig({ port, mediaDir: media, zones: ['one'], base }));
  }, 60_000);

  afterAll(async () => {
    await sup?.stop().catch(() => undefined);
    receiver?.child.kill('SIGKILL');
    await h?.close();
  }, 30_000);

  it('sends WATCHDOG=1 every half WATCHDOG_USEC after READY=1, and none when WATCHDOG_PID names another process', async () => {
    await h.sup.stop();
    receiver = await notifyReceiver(h.dir.path);
    const config = testConfig({ port: h.broker.port, mediaDir: h.media, zones: ['one'], base: h.base });
    for (const d of ['wd', 'wd2']) mkdirSync(join(h.dir.path, d));
    sup = startSupervisor({
      dir: join(h.dir.path, 'wd'),
      config,
      env: { NOTIFY_SOCKET: receiver.sock, WATCHDOG_USEC: '1200000' },
    });
    await waitFor(
      () => receiver!.messages().filter((m) => m.text.includes('WATCHDOG=1')).length >= 5,
      30_000,
      'five WATCHDOG=1',
    );
    const all = receiver.messages();
    const ready = all.findIndex((m) => m.text.includes('READY=1'));
    const dogs = all.filter((m) => m.text.includes('WATCHDOG=1'));
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(all.indexOf(dogs[0]!)).toBeGreaterThan(ready);
    for (const d of dogs) expect(d.text).toContain(`MAINPID=${sup.pid}`);
    // Half of 1.2 s: 600 ms apart (generous bounds: systemd-notify is a process spawned each time).
    const gaps = dogs.slice(1).map((d, i) => d.at - dogs[i]!.at);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThan(400);
    expect(median).toBeLessThan(1000);
    await sup.stop();

    const before = receiver.messages().length;
    sup = startSupervisor({
      dir: join(h.dir.path, 'wd2'),
      config,
      env: { NOTIFY_SOCKET: receiver.sock, WATCHDOG_USEC: '1200000', WATCHDOG_PID: '1' },
    });
    await waitFor(
      () =>
        receiver!
          .messages()
          .slice(before)
          .some((m) => m.text.includes('READY=1')),
      30_000,
      'READY=1 of the second run',
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(
      receiver
        .messages()
        .slice(before)
        .filter((m) => m.text.includes('WATCHDOG=1')),
    ).toEqual([]);
  }, 90_000);

  it('reboot and shutdown (allow_host_commands = true) ask systemctl and report what it answered', async () => {
    await sup?.stop();
    const bin = join(h.dir.path, 'bin');
    const log = join(h.dir.path, 'systemctl.log');
    mkdirSync(bin);
    mkdirSync(join(h.dir.path, 'host'));
    // A stand-in systemctl: records its arguments; accepts reboot, refuses poweroff.
    writeFileSync(
      join(bin, 'systemctl'),
      `#!/bin/sh\necho "$@" >> ${log}\n[ "$1" = reboot ] || { echo "Access denied" >&2; exit 1; }\n`,
      { mode: 0o755 },
    );
    const config = testConfig({
      port: h.broker.port,
      mediaDir: h.media,
      zones: ['one'],
      base: h.base,
      extra: 'allow_host_commands = true',
    });
    sup = startSupervisor({ dir: join(h.dir.path, 'host'), config, env: { PATH: `${bin}:${process.env.PATH}` } });
    await h.ready('one', Date.now(), 45_000);
    const reboot = await h.sys({ command: 'reboot' });
    expect(reboot).toMatchObject({ outcome: 'success' });
    const off = await h.sys({ command: 'shutdown' });
    expect(off).toMatchObject({ outcome: 'failed', error_type: 'internal' });
    expect(off.message).toContain('Access denied');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['reboot', 'poweroff']);
  }, 90_000);
});

describe('speech at shutdown', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;

  beforeAll(async () => {
    h = await zoneHarness('mpvsd', (port, media, base) =>
      testConfig({ port, mediaDir: media, zones: ['talk'], base, extra: 'stop_timeout_ms = 8000' }),
    );
    await h.ready('talk', 0, 45_000);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('SIGTERM lets the speech that is playing finish before the workers stop', async () => {
    const since = Date.now();
    expect((await h.cmd('talk', { command: 'playSpeech', file: 'speech-1.wav' })).outcome).toBe('success');
    await h.probe.waitFor(
      `${h.base}/talk/events`,
      (m) => m.json?.type === 'speech' && m.json?.state === 'started',
      10_000,
      since,
    );
    const term = Date.now();
    h.sup.child.kill('SIGTERM');
    const ended = await h.probe.waitFor(
      `${h.base}/talk/events`,
      (m) => m.json?.type === 'speech' && m.json?.state === 'ended',
      10_000,
      term,
    );
    const exit = await h.sup.exited;
    expect(exit.code).toBe(0);
    expect(ended.at).toBeGreaterThanOrEqual(term);
    expect(h.sup.output()).not.toContain('speech cut short by shutdown');
    const stopping = h.probe.messages.find(
      (m) => m.topic === `${h.base}/system/state` && m.json?.state === 'stopping' && m.at >= term,
    );
    expect(stopping).toBeDefined();
    expect(stopping!.at).toBeLessThanOrEqual(ended.at);
  }, 40_000);
});
