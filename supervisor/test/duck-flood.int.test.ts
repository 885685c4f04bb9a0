import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { connectAsync, type MqttClient } from 'mqtt';
import { isAlive, sleep, testIni, waitFor } from '@mpvisor/testkit';
import { zoneHarness } from './zone-harness.js';

// Attack 4 of issue 17: distinct duck ids, unpaced. Every duck outcome and volume event used to list
// every id, so ~1,240 of them ran the supervisor out of heap and a burst overflowed the worker socket.
// Real Mosquitto (queueing all of it: nothing is dropped before it reaches us), supervisor, worker, mpv.

// Four times the ~1,240 that once ran the heap out (CI's time); scripts/bench-duck-flood.mjs floods 10,000.
const FLOOD = 5000;
const MAX_DUCKS = 32;
const RSS_GROWTH_LIMIT_KB = 20 * 1024;

const ini = (port: number, media: string, base: string) =>
  testIni({
    port,
    base,
    media,
    logLevel: 'warn',
    global: ['heartbeat_enabled = false'],
    system: [
      'warm_spares = 0',
      // Generous watchdogs: on a loaded shared machine a slow start or a late heartbeat is not the subject.
      'startup_timeout_ms = 30000',
      'heartbeat_timeout_ms = 15000',
      'max_restarts = 50',
    ],
    zones: [{ name: 'room' }],
  });

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, ''));
}

describe('a flood of distinct duck ids', () => {
  let h: Awaited<ReturnType<typeof zoneHarness>>;
  let flooder: MqttClient;

  beforeAll(async () => {
    // The heap bound the systemd unit and `npm start` run the supervisor with (docs/benchmarks.md).
    h = await zoneHarness('mpvdf', ini, {
      brokerConf: ['max_queued_messages 0', 'max_inflight_messages 0'],
      env: { NODE_OPTIONS: '--max-old-space-size=96 --max-semi-space-size=1' },
    });
    await h.ready('room', 0, 90_000);
    flooder = await connectAsync(h.broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  }, 120_000);

  afterAll(async () => {
    await flooder?.endAsync(true);
    await h?.close();
  }, 30_000);

  it(`${FLOOD} distinct ids: one outcome each, at most ${MAX_DUCKS} held, supervisor answering, worker alive, RSS growth under 20 MB`, async () => {
    expect((await h.cmd('room', { command: 'playBackground', file: 'tone-220.wav' })).outcome).toBe('success');
    const before = await h.state('room');
    const topic = `${h.base}/room/commands`;
    const events = `${h.base}/room/events`;
    const outcomes = (prefix: string) =>
      h.probe.messages.filter(
        (m) =>
          m.topic === events &&
          m.json?.type === 'command' &&
          typeof m.json.id === 'string' &&
          m.json.id.startsWith(prefix),
      );
    const flood = async (prefix: string, count: number) => {
      const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
      await Promise.all(
        ids.map((id) =>
          flooder.publishAsync(topic, JSON.stringify({ command: 'duck', id, duck_id: `${id}-${'x'.repeat(48)}` }), {
            qos: 1,
          }),
        ),
      );
      await waitFor(() => outcomes(prefix).length >= count, 150_000, `${count} outcomes`, 200);
    };
    // From a cold start: a burst makes V8 grow its heap for the garbage it leaves (+30 MB at the peak
    // with the unit's heap flags), and the memory reducer hands that back within seconds once the burst
    // is over. What may not stay is anything kept per id: two floods, then RSS must settle under the limit.
    const rssStart = rssKb(h.sup.pid);
    await flood('warmup-', FLOOD);
    expect((await h.cmd('room', { command: 'unduck' })).outcome).toBe('success');
    const rssAfterFirst = rssKb(h.sup.pid);
    await flood('flood-', FLOOD);
    const got = outcomes('flood-').map((m) => m.json);
    expect(new Set(got.map((o) => o.id)).size).toBe(FLOOD);
    expect(got).toHaveLength(FLOOD);
    const kinds = new Map<string, number>();
    for (const o of got)
      kinds.set(`${o.outcome}/${o.error_type}`, (kinds.get(`${o.outcome}/${o.error_type}`) ?? 0) + 1);
    // A request waiting its turn while the flood saturates the supervisor may run out of time: that is
    // its one outcome too.
    const expected = ['success/null', 'failed/limit_reached', 'failed/busy', 'failed/timeout'];
    expect(Object.fromEntries([...kinds].filter(([k]) => !expected.includes(k)))).toEqual({});
    expect(kinds.get('success/null')).toBeLessThanOrEqual(MAX_DUCKS);
    // Nothing the supervisor published lists more than the ids a zone may hold.
    const largest = Math.max(...h.probe.messages.filter((m) => m.topic === events).map((m) => m.payload.length));
    expect(largest).toBeLessThan(8 * 1024);

    const state = await h.cmd('room', { command: 'getState' });
    expect(state.outcome).toBe('success');
    const after = await h.state('room');
    expect(after).toMatchObject({ state: 'ready', pid: before.pid, restarts: before.restarts });
    expect(isAlive(before.pid)).toBe(true);
    const rssAfterSecond = rssKb(h.sup.pid);
    const settledBy = Date.now() + 60_000;
    while (rssKb(h.sup.pid) - rssStart >= RSS_GROWTH_LIMIT_KB && Date.now() < settledBy) await sleep(1000);
    const growthKb = rssKb(h.sup.pid) - rssStart;
    process.stdout.write(
      `duck flood: supervisor RSS ${rssStart} kB at start, ${rssAfterFirst} kB after a first flood, ${rssAfterSecond} kB after the second, settled at +${growthKb} kB; outcomes ${JSON.stringify(Object.fromEntries(kinds))}\n`,
    );
    expect(growthKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);

    // The zone still ducks and releases as asked.
    expect((await h.cmd('room', { command: 'unduck' })).outcome).toBe('success');
    expect((await h.cmd('room', { command: 'duck', duck_id: 'after-flood' })).outcome).toBe('success');
  }, 400_000);
});
