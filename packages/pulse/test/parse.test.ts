import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { intOf, isOurs, moveTarget, ourSinks, parseSinkInputs, parseSinks, sinkNameOf } from '@mpvisor/pulse';

// Recorded from PulseAudio 16.1 (`pactl -f json list sinks` / `list sink-inputs`): two null sinks
// room_a and room_b, our combine sink mpvisor_both (tagged abc123) and a user's combine sink
// user_combo (no tag), with one mpv stream playing to mpvisor_both.
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
const sinks = parseSinks(fixture('sinks-combine.json'));
const inputs = parseSinkInputs(fixture('sink-inputs.json'));

describe('pactl JSON parsing', () => {
  it('reads every sink with index, name, owner_module and properties', () => {
    expect(sinks.map((s) => s.name)).toEqual(['room_a', 'room_b', 'mpvisor_both', 'user_combo']);
    const ours = sinks.find((s) => s.name === 'mpvisor_both')!;
    expect(ours).toMatchObject({ index: 2, owner_module: 3, driver: 'module-combine-sink.c' });
    expect(ours.properties).toMatchObject({
      'mpvisor.owner': 'abc123',
      'mpvisor.zone': 'both',
      'mpvisor.slaves': 'room_a,room_b',
    });
  });

  it('reads sink-inputs whose owner_module and client are strings', () => {
    expect(inputs).toHaveLength(5);
    const mpv = inputs.find((i) => i.properties['application.name'] === 'mpv')!;
    expect(mpv).toMatchObject({ sink: 2, client: 6 });
    // The combine sinks' own streams to their slaves.
    expect(
      inputs
        .filter((i) => i.owner_module === 3)
        .map((i) => i.sink)
        .sort(),
    ).toEqual([0, 1]);
  });

  it('numbers may come as numbers or decimal strings; anything else is null', () => {
    expect(intOf(3)).toBe(3);
    expect(intOf('12')).toBe(12);
    expect(intOf(null)).toBeNull();
    expect(intOf('n/a')).toBeNull();
    expect(intOf(-1)).toBeNull();
    expect(intOf(1.5)).toBeNull();
  });

  it('skips malformed entries and rejects non-JSON output', () => {
    expect(parseSinks('[{"index":1},{"name":"x"},{"index":"2","name":"ok","owner_module":"7"},3]')).toEqual([
      {
        index: 2,
        name: 'ok',
        state: 'UNKNOWN',
        driver: '',
        owner_module: 7,
        mute: null,
        volume_percent: null,
        properties: {},
      },
    ]);
    expect(parseSinks('')).toEqual([]);
    expect(() => parseSinks('Connection failure: Connection refused')).toThrow(/not JSON/);
    expect(() => parseSinks('{"index":1}')).toThrow(/JSON list/);
  });
});

describe('tag filtering', () => {
  it('only sinks carrying exactly our tag are ours', () => {
    expect(ourSinks(sinks, 'abc123').map((s) => s.name)).toEqual(['mpvisor_both']);
    expect(ourSinks(sinks, 'abc1234')).toEqual([]);
    expect(ourSinks(sinks, '')).toEqual([]);
    expect(isOurs(sinks.find((s) => s.name === 'user_combo')!, 'abc123')).toBe(false);
  });

  it('filters by zone', () => {
    expect(ourSinks(sinks, 'abc123', ['both']).map((s) => s.name)).toEqual(['mpvisor_both']);
    expect(ourSinks(sinks, 'abc123', ['other'])).toEqual([]);
  });

  it('moves streams to the first slave that exists, else the default sink', () => {
    const ours = sinks.find((s) => s.name === 'mpvisor_both')!;
    expect(moveTarget(ours, sinks, 'room_b')).toBe('room_a');
    const others = sinks.filter((s) => s.name !== 'room_a');
    expect(moveTarget(ours, others, 'room_b')).toBe('room_b');
    expect(moveTarget(ours, others, null)).toBe('room_b');
    expect(moveTarget(ours, [ours], null)).toBeNull();
  });

  it('turns mpv device names into sink names, refusing other drivers and unsafe names', () => {
    expect(sinkNameOf('pulse/room_a')).toBe('room_a');
    expect(sinkNameOf('room_a')).toBe('room_a');
    expect(sinkNameOf('alsa/hw:0')).toBeNull();
    expect(sinkNameOf('pulse/a b')).toBeNull();
    expect(sinkNameOf('pulse/a"x')).toBeNull();
  });
});

describe('sink and stream facts for output health', () => {
  it('reads mute and volume of sinks, mute and corked of sink-inputs', () => {
    const room = sinks.find((s) => s.name === 'room_a')!;
    expect(room.mute).toBe(false);
    expect(room.volume_percent).toBe(100);
    const mpv = inputs.find((i) => i.properties['application.name'] === 'mpv')!;
    expect(typeof mpv.mute).toBe('boolean');
    expect(typeof mpv.corked).toBe('boolean');
  });
});
