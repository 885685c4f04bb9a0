import { describe, expect, it } from '@jest/globals';
import {
  CommandError,
  isSupervisorZoneCommand,
  isSystemCommand,
  isWorkerCommand,
  parseSystemArgs,
  parseZoneArgs,
  SYSTEM_COMMAND_SPECS,
  SYSTEM_COMMANDS,
  ZONE_COMMAND_SPECS,
  ZONE_COMMANDS,
} from '../src/index.js';

describe('the command registries keyed by name', () => {
  it('list every spec once under its key, and the guards follow who runs each', () => {
    expect(ZONE_COMMANDS.map((s) => s.name)).toEqual(Object.keys(ZONE_COMMAND_SPECS));
    expect(SYSTEM_COMMANDS.map((s) => s.name)).toEqual(Object.keys(SYSTEM_COMMAND_SPECS));
    for (const spec of ZONE_COMMANDS) {
      expect(isWorkerCommand(spec.name)).toBe(spec.handledBy === 'worker');
      expect(isSupervisorZoneCommand(spec.name)).toBe(spec.handledBy === 'supervisor');
    }
    expect(SYSTEM_COMMANDS.every((s) => isSystemCommand(s.name) && s.handledBy === 'supervisor')).toBe(true);
    expect(isWorkerCommand('playMusic')).toBe(false); // aliases are resolved before a handler is looked up
    expect(isSystemCommand('getState')).toBe(false);
  });

  it('parse arguments to what the handlers declare, and name each bad field', () => {
    expect(parseZoneArgs('setVolume', { volume: '50' })).toEqual({ volume: 50 });
    expect(parseZoneArgs('playBackground', { audio: 'a.mp3', loop: 'true' })).toEqual({ file: 'a.mp3', loop: true });
    expect(parseSystemArgs('system_reset', { type: 'sockets', timeout: 5 })).toEqual({ type: 'sockets', timeout: 5 });
    const bad = (() => {
      try {
        parseSystemArgs('system_reset', { type: 'everything' });
      } catch (err) {
        return err;
      }
    })();
    expect(bad).toBeInstanceOf(CommandError);
    expect(bad).toMatchObject({ errorType: 'invalid_argument', outcome: 'invalid' });
    expect(String(bad)).toContain('system_reset: type:');
    expect(() => parseZoneArgs('setVolume', {})).toThrow('setVolume: volume:');
  });
});
