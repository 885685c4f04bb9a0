import { describe, expect, it } from '@jest/globals';
import { parseEventLine, volumePercentOf } from '@mpvisor/pulse';

describe('pactl subscribe lines', () => {
  it('reads kind, facility and index', () => {
    expect(parseEventLine("Event 'remove' on sink #3")).toEqual({ kind: 'remove', facility: 'sink', index: 3 });
    expect(parseEventLine("Event 'new' on sink-input #12\n")).toEqual({
      kind: 'new',
      facility: 'sink-input',
      index: 12,
    });
    expect(parseEventLine("Event 'change' on server #4294967295")).toEqual({
      kind: 'change',
      facility: 'server',
      index: 4294967295,
    });
    expect(parseEventLine("Event 'change' on server")).toEqual({ kind: 'change', facility: 'server', index: null });
  });

  it('ignores anything else', () => {
    expect(parseEventLine('')).toBeNull();
    expect(parseEventLine('Connection failure: Connection refused')).toBeNull();
    expect(parseEventLine("Event 'explode' on sink #1")).toBeNull();
  });
});

describe('volumes', () => {
  it('takes the loudest channel in percent', () => {
    expect(volumePercentOf({ 'front-left': { value_percent: '40%' }, 'front-right': { value_percent: '55%' } })).toBe(
      55,
    );
    expect(volumePercentOf({ mono: { value_percent: '0%' } })).toBe(0);
    expect(volumePercentOf(undefined)).toBeNull();
    expect(volumePercentOf({ mono: { value: 65536 } })).toBeNull();
  });
});
