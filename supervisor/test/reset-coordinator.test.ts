import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@mpvisor/log';
import type { HandlerResult, ZoneLifecycle } from '@mpvisor/protocol';
import { ResetCoordinator } from '../src/reset/coordinator.js';
import { systemResetRequest } from '../src/reset/handlers.js';
import type { ResetRequest, ResetStatus } from '../src/reset/types.js';
import { ZoneRegistry } from '../src/zone-registry.js';
import type { ZoneRunner } from '../src/zones/zone-runner.js';

// The coordinator's rules with stand-in zones (no processes): phases, one at a time, the overall
// timeout, the soft drain and force, a zone that does not come back.

const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quiet;
  },
} as unknown as Logger;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class FakeZone {
  state: ZoneLifecycle = 'ready';
  speakingUntil = 0;
  halts: number[] = [];
  relaunched: unknown[] = [];
  private waiters: Array<() => void> = [];
  constructor(
    readonly name: string,
    readonly o: { haltMs?: number; startMs?: number; comesBack?: boolean } = {},
  ) {}
  get mpvPids(): number[] {
    return [];
  }
  snapshot() {
    const speaking = Date.now() < this.speakingUntil;
    return {
      zone: this.name,
      state: this.state,
      volume: 70,
      background: { file: '/m/tone.wav', status: 'playing', volume: 60, loop: true, position_s: 1.5 },
      speech: {
        file: speaking ? '/m/s.wav' : null,
        status: speaking ? 'playing' : 'stopped',
        queue_length: 0,
        queue: [],
      },
    };
  }
  async request(command: string): Promise<HandlerResult> {
    if (command === 'getMpvProperty') return { outcome: 'success', message: 'ok', result: { value: 2.25 } };
    if (command === 'getState') return { outcome: 'success', message: 'ok', result: this.snapshot() };
    return { outcome: 'failed', message: 'no', error_type: 'not_supported' };
  }
  async halt(): Promise<void> {
    this.halts.push(Date.now());
    await sleep(this.o.haltMs ?? 10);
    this.state = 'restarting';
  }
  relaunch(resume?: unknown): void {
    this.relaunched.push(resume);
    setTimeout(() => {
      this.state = this.o.comesBack === false ? 'failed' : 'ready';
      for (const w of this.waiters.splice(0)) w();
    }, this.o.startMs ?? 10);
  }
  settled(): Promise<void> {
    if (this.state !== 'restarting' && this.state !== 'starting') return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}

function setup(zones: FakeZone[]) {
  const registry = new ZoneRegistry();
  for (const z of zones) registry.add(z as unknown as ZoneRunner);
  const published: ResetStatus[] = [];
  const states: boolean[] = [];
  const coordinator = new ResetCoordinator({
    zones: registry,
    ownership: () => null,
    sinks: () => null,
    zoneConfig: () => undefined,
    setAudioDevice: () => {},
    publish: (s) => published.push(s),
    lifecycle: () => {},
    resetting: (on) => states.push(on),
    log: quiet,
  });
  return { coordinator, published, states };
}

const req = (over: Partial<ResetRequest> = {}): ResetRequest => ({
  command: 'reset',
  kind: 'full',
  zones: null,
  level: 'hard',
  force: false,
  preserveState: false,
  timeoutMs: 5000,
  scope: 'system',
  ...over,
});

describe('reset coordinator', () => {
  it('publishes one status per phase with the exact fields, and says resetting meanwhile', async () => {
    const { coordinator, published, states } = setup([new FakeZone('a'), new FakeZone('b')]);
    const r = await coordinator.run(req(), { id: 'r1' });
    expect(r.outcome).toBe('success');
    expect(published.map((s) => s.phase)).toEqual(['starting', 'cleanup', 'reinit', 'complete']);
    for (const s of published) {
      expect(Object.keys(s).sort()).toEqual(['duration_ms', 'errors', 'id', 'phase', 'progress', 'timestamp', 'type']);
      expect(s).toMatchObject({ type: 'system_reset_status', id: 'r1', errors: [] });
    }
    expect(published.at(-1)!.progress).toEqual({
      mpv_processes_killed: 0,
      sockets_cleaned: 0,
      sinks_unloaded: 0,
      devices_reinitialized: 2,
    });
    expect(states).toEqual([true, false]);
    expect(coordinator.busy).toBe(false);
  });

  it('a second reset while one runs is failed / busy, with a failed status of its own', async () => {
    const zone = new FakeZone('a', { haltMs: 200 });
    const { coordinator, published } = setup([zone]);
    const first = coordinator.run(req(), { id: 'one' });
    const second = await coordinator.run(req({ zones: ['a'] }), { id: 'two' });
    expect(second).toMatchObject({ outcome: 'failed', error_type: 'busy' });
    expect((await first).outcome).toBe('success');
    expect(published.filter((s) => s.id === 'two').map((s) => s.phase)).toEqual(['failed']);
    expect(published.filter((s) => s.id === 'one').map((s) => s.phase)).toEqual([
      'starting',
      'cleanup',
      'reinit',
      'complete',
    ]);
    expect(zone.halts).toHaveLength(1);
  });

  it('past the timeout: phase failed, still busy until the steps under way end, and the zone comes back', async () => {
    const zone = new FakeZone('a', { haltMs: 600 });
    const { coordinator, published } = setup([zone]);
    const started = Date.now();
    const r = await coordinator.run(req({ timeoutMs: 200 }), { id: 't' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(r).toMatchObject({ outcome: 'failed', error_type: 'timeout' });
    expect(published.map((s) => s.phase)).toEqual(['starting', 'cleanup', 'failed']);
    expect(published.at(-1)!.errors[0]).toContain('did not finish within');
    expect(coordinator.busy).toBe(true);
    expect((await coordinator.run(req(), { id: 'x' })).error_type).toBe('busy');
    await sleep(700);
    expect(coordinator.busy).toBe(false);
    expect(zone.state).toBe('ready');
    // Nothing more is published for the reset that already failed.
    expect(published.filter((s) => s.id === 't').map((s) => s.phase)).toEqual(['starting', 'cleanup', 'failed']);
  });

  it('soft waits for speech to finish; force and hard do not', async () => {
    for (const [over, waits] of [
      [{ level: 'soft' as const }, true],
      [{ level: 'soft' as const, force: true }, false],
      [{ level: 'hard' as const }, false],
    ] as const) {
      const zone = new FakeZone('a');
      zone.speakingUntil = Date.now() + 400;
      const { coordinator } = setup([zone]);
      const t0 = Date.now();
      expect((await coordinator.run(req(over), { id: null })).outcome).toBe('success');
      const waited = zone.halts[0]! - t0;
      if (waits) expect(waited).toBeGreaterThanOrEqual(350);
      else expect(waited).toBeLessThan(300);
    }
  });

  it('preserve_state hands the live position to the next worker', async () => {
    const zone = new FakeZone('a');
    const { coordinator } = setup([zone]);
    const r = await coordinator.run(req({ preserveState: true }), { id: null });
    expect(zone.relaunched).toEqual([
      { volume: 70, background: { file: '/m/tone.wav', status: 'playing', loop: true, position_s: 2.25 } },
    ]);
    expect((r.result as { preserved: unknown }).preserved).toEqual({ a: zone.relaunched[0] });
    const plain = new FakeZone('b');
    await setup([plain]).coordinator.run(req(), { id: null });
    expect(plain.relaunched).toEqual([undefined]);
  });

  it('a zone that does not come back fails the reset (zone_unavailable)', async () => {
    const { coordinator, published } = setup([new FakeZone('a'), new FakeZone('b', { comesBack: false })]);
    const r = await coordinator.run(req(), { id: 'f' });
    expect(r).toMatchObject({ outcome: 'failed', error_type: 'zone_unavailable' });
    expect(published.at(-1)).toMatchObject({ phase: 'failed', errors: ['zone b is failed after the reset'] });
    expect(published.at(-1)!.progress.devices_reinitialized).toBe(1);
  });

  it('maps the commands onto requests', () => {
    expect(systemResetRequest('reset', { level: 'hard', zones: ['a'] }, 30_000)).toMatchObject({
      kind: 'full',
      level: 'hard',
      force: true,
      zones: ['a'],
      timeoutMs: 30_000,
    });
    expect(systemResetRequest('reset', {}, 30_000)).toMatchObject({
      kind: 'full',
      level: 'soft',
      force: false,
      zones: null,
      preserveState: false,
    });
    expect(systemResetRequest('system_reset', { type: 'sockets', timeout: 5 }, 30_000)).toMatchObject({
      kind: 'sockets',
      timeoutMs: 5000,
    });
    expect(systemResetRequest('restart', { zones: ['a'] }, 30_000)).toMatchObject({
      kind: 'restart',
      zones: null,
      preserveState: false,
    });
    expect(systemResetRequest('reset_audio', { zones: ['a'] }, 30_000)).toMatchObject({
      kind: 'audio',
      zones: ['a'],
      preserveState: true,
    });
  });
});
