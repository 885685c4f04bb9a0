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
