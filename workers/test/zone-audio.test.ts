import { describe, expect, it } from '@jest/globals';
import { zoneAudio } from '../src/spare.js';

describe('a zone taking a spare: its audio output', () => {
  it('on a server: the zone device, nothing pending', () => {
    const spare = { output: { ao: 'pulse' }, label: 'pulse', warning: null, pending: null };
    expect(zoneAudio(spare, 'pulse/room_a')).toEqual({
      output: { ao: 'pulse', device: 'pulse/room_a' },
      label: 'pulse/room_a',
      warning: null,
      pending: null,
    });
  });

  it('on the null output for want of a server: still null, waiting for the zone device', () => {
    const spare = { output: { ao: 'null' }, label: 'null', warning: 'no server', pending: { ao: 'pulse' } };
    const zone = zoneAudio(spare, 'pulse/room_a');
    expect(zone.output).toEqual({ ao: 'null' });
    expect(zone.pending).toEqual({ ao: 'pulse', device: 'pulse/room_a' });
    expect(zoneAudio(spare, undefined).pending).toEqual({ ao: 'pulse' });
  });

  it('on the null output by choice: nothing to wait for', () => {
    const spare = { output: { ao: 'null' }, label: 'null', warning: null, pending: null };
    expect(zoneAudio(spare, 'pulse/room_a').pending).toBeNull();
  });
});
