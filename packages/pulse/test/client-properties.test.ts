import { describe, expect, it } from '@jest/globals';
import { adoptedClientName, zoneStreamEnvironment } from '../src/index.js';

describe('a zone stream environment', () => {
  it("names the zone's streams for the server's restore keys", () => {
    expect(zoneStreamEnvironment('lobby')).toEqual({ PULSE_PROP: 'application.id=mpvisor.lobby' });
  });

  it('keeps a zone name from adding properties of its own', () => {
    expect(zoneStreamEnvironment('a b="x" media.role=alarm')).toEqual({
      PULSE_PROP: 'application.id=mpvisor.a_b__x__media.role_alarm',
    });
  });

  it('an isolated zone asks its null sink for a low latency', () => {
    expect(zoneStreamEnvironment('lobby', true)).toEqual({
      PULSE_PROP: 'application.id=mpvisor.lobby',
      PULSE_LATENCY_MSEC: '60',
    });
  });

  it("a spare's mpv adopted by a zone take a name of that zone (they carry no application.id)", () => {
    expect(adoptedClientName('lobby', 'background')).toBe('mpvisor-background@mpvisor.lobby');
    expect(adoptedClientName('lobby', 'speech')).not.toBe(adoptedClientName('vault', 'speech'));
  });
});
