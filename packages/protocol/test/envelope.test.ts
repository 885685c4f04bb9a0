import { describe, expect, it } from '@jest/globals';
import {
  CommandError,
  CommandTable,
  ZONE_COMMANDS,
  SYSTEM_COMMANDS,
  parseCommandPayload,
  jsonDepth,
} from '../src/index.js';

const errorOf = (fn: () => unknown): CommandError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('expected a CommandError');
};

describe('parseCommandPayload', () => {
  it('accepts command and Command, folds capitalised argument keys, keeps the id', () => {
    expect(parseCommandPayload('{"Command":"playBackground","Audio":"a.wav","Volume":70,"id":"x1"}')).toEqual({
      command: 'playBackground',
      id: 'x1',
      args: { audio: 'a.wav', volume: 70 },
    });
    expect(parseCommandPayload('{"command":"getState"}').id).toBeNull();
  });

  it.each([
    ['not json', '{oops', 'invalid_json'],
    ['empty', '', 'invalid_json'],
    ['array', '[1,2]', 'not_an_object'],
    ['string', '"hi"', 'not_an_object'],
    ['null', 'null', 'not_an_object'],
    ['number', '42', 'not_an_object'],
    ['no command', '{"file":"a"}', 'missing_command'],
    ['numeric command', '{"command":5}', 'missing_command'],
    ['blank command', '{"command":"  "}', 'missing_command'],
    ['numeric id', '{"command":"getState","id":5}', 'invalid_id'],
    ['long id', `{"command":"getState","id":"${'x'.repeat(65)}"}`, 'invalid_id'],
    ['deep', `${'['.repeat(40)}${']'.repeat(40)}`, 'too_deep'],
    ['huge', `{"command":"x","pad":"${'x'.repeat(70 * 1024)}"}`, 'payload_too_large'],
  ])('%s -> %s', (_name, payload, errorType) => {
    const err = errorOf(() => parseCommandPayload(payload));
    expect(err.errorType).toBe(errorType);
    expect(err.outcome).toBe('invalid');
  });

  it('measures depth without counting brackets inside strings', () => {
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[["}')).toBe(1);
    expect(jsonDepth('[[[]]]')).toBe(3);
  });
});

describe('command tables', () => {
  const zone = new CommandTable(ZONE_COMMANDS);
  const system = new CommandTable(SYSTEM_COMMANDS);

  it('finds commands by alias', () => {
    expect(zone.lookup('playAudioFX')?.name).toBe('playSoundEffect');
    expect(zone.lookup('getStatus')?.name).toBe('getState');
    expect(system.lookup('system_reset')?.name).toBe('system_reset');
    expect(zone.lookup('nope')).toBeUndefined();
  });

  it('maps ParadoxFX media argument spellings onto file', () => {
    const spec = zone.lookup('playBackground')!;
    expect(zone.parseArgs(spec, { audio: 'x.wav', volume: '70' })).toEqual({ file: 'x.wav', volume: 70 });
    expect(zone.parseArgs(zone.lookup('playVideo')!, { video: 'v.mp4' })).toEqual({ file: 'v.mp4' });
  });

  it.each([
    ['playBackground', {}],
    ['playBackground', { file: 3 }],
    ['playBackground', { file: 'a', volume: 'NaN' }],
    ['playBackground', { file: 'a', volume: 500 }],
    ['playBackground', { file: 'a', volume: -1 }],
    ['setVolume', { volume: null }],
    ['stopAudio', { fadeTime: 'slow' }],
    ['playSpeech', { file: 'a\u0000b' }],
  ])('%s %j is invalid_argument', (name, args) => {
    const err = errorOf(() => zone.parseArgs(zone.lookup(name)!, args));
    expect(err.errorType).toBe('invalid_argument');
  });

  it('validates system arguments', () => {
    const spec = system.lookup('system_reset')!;
    expect(system.parseArgs(spec, { type: 'orphans', force: true })).toEqual({ type: 'orphans', force: true });
    expect(errorOf(() => system.parseArgs(spec, { type: 'everything' })).errorType).toBe('invalid_argument');
    expect(errorOf(() => system.parseArgs(system.lookup('reset')!, { zones: 'a' })).errorType).toBe('invalid_argument');
  });
});
