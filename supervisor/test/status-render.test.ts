import { describe, expect, it } from '@jest/globals';
import type { ZoneState } from '@mpvisor/protocol';
import { renderStatus } from '../src/cli/status.js';

const zone = (output: ZoneState['output']): ZoneState =>
  ({
    zone: 'lobby',
    zone_type: 'audio',
    state: 'degraded',
    pid: 10,
    mpv_processes: [],
    restarts: 0,
    uptime_ms: 1000,
    audio_output: 'pulse/mpvisor_lobby',
    output,
  }) as unknown as ZoneState;
const output = (over: Partial<NonNullable<ZoneState['output']>>): ZoneState['output'] => ({
  sink: 'room_a',
  server: true,
  present: true,
  devices: [],
  sink_state: 'RUNNING',
  muted: false,
  volume_percent: 100,
  streams: [],
  problems: [],
  reason: null,
  checked_at: '',
  ...over,
});
const system = { state: 'running', pid: 1, uptime_ms: 1000, mqtt: { connected: true } };

describe('mpvisor status: the OUTPUT column', () => {
  it('a zone on its own device: the sink and ok', () => {
    expect(renderStatus({ system, zones: [zone(output({}))] })).toMatch(/room_a ok/);
  });

  it('an isolated zone whose device went: its sink, the device marked gone, and the problem', () => {
    const o = output({
      sink: 'mpvisor_lobby',
      present: false,
      devices: [{ name: 'room_e', present: false }],
      problems: ['output_missing'],
    });
    expect(renderStatus({ system, zones: [zone(o)] })).toMatch(/mpvisor_lobby>room_e\(gone\) output_missing/);
  });
});
