import { describe, expect, it } from '@jest/globals';
import type { PulseSink, PulseSinkInput } from '@mpvisor/pulse';
import { assessOutput, outputFault, type OutputFacts } from '../src/output-status.js';

const sink = (index: number, name: string, over: Partial<PulseSink> = {}): PulseSink => ({
  index,
  name,
  state: 'RUNNING',
  driver: 'module-null-sink.c',
  owner_module: index + 10,
  mute: false,
  volume_percent: 100,
  properties: {},
  ...over,
});
const input = (index: number, onSink: number, pid: number): PulseSinkInput => ({
  index,
  sink: onSink,
  owner_module: null,
  client: 1,
  mute: false,
  corked: false,
  properties: { 'application.process.id': String(pid) },
});
const facts = (over: Partial<OutputFacts> = {}): OutputFacts => ({
  sink: 'room_a',
  devices: [],
  bridge: null,
  holdSink: 'mpvisor_hold_x',
  server: true,
  sinks: [sink(0, 'room_a'), sink(1, 'room_b'), sink(2, 'mpvisor_hold_x')],
  inputs: [input(7, 0, 100)],
  mpv: new Map([
    [100, 'background'],
    [101, 'speech'],
  ]),
  audible: true,
  now: new Date(0),
  ...over,
});

describe('a zone output assessed from the server facts', () => {
  it('all well: present, running, our stream on it', () => {
    const s = assessOutput(facts());
    expect(s).toMatchObject({
      sink: 'room_a',
      server: true,
      present: true,
      sink_state: 'RUNNING',
      muted: false,
      volume_percent: 100,
      problems: [],
      reason: null,
    });
    expect(s.streams).toEqual([{ role: 'background', sink: 'room_a' }]);
    expect(outputFault(s, true)).toBeNull();
  });

  it('no server: audio_server_missing, which never degrades the zone', () => {
    const s = assessOutput(facts({ server: false }));
    expect(s.problems).toEqual(['audio_server_missing']);
    expect(s.streams).toEqual([]);
    expect(outputFault(s, true)).toBeNull();
  });

  it('sink gone: output_missing, a fault while the zone plays only', () => {
    const s = assessOutput(
      facts({ sinks: [sink(1, 'room_b'), sink(2, 'mpvisor_hold_x')], inputs: [input(7, 2, 100)] }),
    );
    expect(s.problems).toEqual(['output_missing']);
    expect(s.present).toBe(false);
    expect(s.reason).toContain('room_a');
    expect(outputFault(s, true)).toMatch(/^output_missing: /);
    expect(outputFault(s, false)).toBeNull();
  });

  it('a stream moved to another sink by someone else, named in the reason; the holding sink is no move', () => {
    const moved = assessOutput(facts({ inputs: [input(7, 1, 100)] }));
    expect(moved.problems).toEqual(['stream_moved']);
    expect(moved.reason).toContain('room_b');
    expect(assessOutput(facts({ inputs: [input(7, 2, 100)] })).problems).toEqual([]);
  });

  it('streams of other programs are not ours', () => {
    expect(assessOutput(facts({ inputs: [input(7, 0, 100), input(8, 1, 999)] })).problems).toEqual([]);
  });

  it('muted, zero volume, and suspended while audible', () => {
    expect(assessOutput(facts({ sinks: [sink(0, 'room_a', { mute: true })] })).problems).toEqual(['sink_muted']);
    expect(assessOutput(facts({ sinks: [sink(0, 'room_a', { volume_percent: 0 })] })).problems).toEqual([
      'sink_volume_zero',
    ]);
    const suspended = [sink(0, 'room_a', { state: 'SUSPENDED' })];
    expect(assessOutput(facts({ sinks: suspended })).problems).toEqual(['sink_suspended']);
    // Nothing plays: a suspended sink is the server saving power.
    expect(assessOutput(facts({ sinks: suspended, audible: false, inputs: [] })).problems).toEqual([]);
  });
});

describe('a zone on a combine sink of its own (isolate_output, combined-audio)', () => {
  const bridge = { ...input(9, 0, 0), owner_module: 42, properties: { 'mpvisor.owner': 'tag', 'mpvisor.zone': 'a' } };
  const isolated = (sinks: PulseSink[], inputs = [input(7, 5, 100), bridge]) =>
    facts({ sink: 'mpvisor_a', devices: ['room_a'], bridge: { owner: 'tag', zone: 'a' }, sinks, inputs });

  it('its device gone while its sink plays on: output_missing, the device named, not present', () => {
    const s = assessOutput(isolated([sink(1, 'room_b'), sink(5, 'mpvisor_a')]));
    expect(s.problems).toEqual(['output_missing']);
    expect(s.present).toBe(false);
    expect(s.devices).toEqual([{ name: 'room_a', present: false }]);
    expect(s.reason).toMatch(/output room_a is gone; the zone plays on in its sink mpvisor_a, heard nowhere/);
    expect(outputFault(s, true)).toMatch(/^output_missing: /);
  });

  it("its device there: all well; a mute or zero volume on the device is the zone's, named", () => {
    const s = assessOutput(isolated([sink(0, 'room_a'), sink(5, 'mpvisor_a')]));
    expect(s.problems).toEqual([]);
    expect(s.present).toBe(true);
    expect(s.devices).toEqual([{ name: 'room_a', present: true }]);
    const muted = assessOutput(isolated([sink(0, 'room_a', { mute: true }), sink(5, 'mpvisor_a')]));
    expect(muted.problems).toEqual(['sink_muted']);
    expect(muted.reason).toBe('output room_a is muted');
    const zero = assessOutput(isolated([sink(0, 'room_a', { volume_percent: 0 }), sink(5, 'mpvisor_a')]));
    expect(zero.reason).toBe('output room_a is at zero volume');
  });

  it('its device back but the bridge not yet: still output_missing, and the reason says so', () => {
    const s = assessOutput(isolated([sink(0, 'room_a'), sink(5, 'mpvisor_a')], [input(7, 5, 100)]));
    expect(s.problems).toEqual(['output_missing']);
    expect(s.reason).toMatch(/room_a is there but the zone's sink mpvisor_a is not bridged to it yet/);
    const strangers = { ...bridge, properties: { 'mpvisor.owner': 'other', 'mpvisor.zone': 'a' } };
    expect(assessOutput(isolated([sink(0, 'room_a'), sink(5, 'mpvisor_a')], [strangers])).problems).toEqual([
      'output_missing',
    ]);
  });

  it("one of a combined zone's devices gone: heard on the others only", () => {
    const s = assessOutput(
      facts({
        sink: 'mpvisor_both',
        devices: ['room_c', 'room_d'],
        sinks: [sink(3, 'room_c'), sink(6, 'mpvisor_both')],
        inputs: [input(7, 6, 100)],
      }),
    );
    expect(s.problems).toEqual(['output_missing']);
    expect(s.reason).toMatch(/output room_d is gone; .* heard on its other outputs only/);
  });
});
