import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@mpvisor/log';
import { CommandError, ZONE_COMMANDS, type HandlerResult } from '@mpvisor/protocol';
import { SystemPause } from '../src/commands/system-pause.js';
import { ZoneRegistry } from '../src/zone-registry.js';
import type { ZoneRunner } from '../src/zones/zone-runner.js';

// The system pause's rules with stand-in zones (no processes): who gets paused and resumed, what is
// held and in which order it runs, a worker started during the pause.

const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quiet;
  },
} as unknown as Logger;
const spec = (name: string) => ZONE_COMMANDS.find((c) => c.name === name)!;

class FakeZone {
  pid: number | null = 100;
  state = 'ready';
  pausedAll = false;
  log: string[] = [];
  constructor(readonly name: string) {}
  async request(command: string, args: Record<string, unknown>): Promise<HandlerResult> {
    this.log.push(args.volume !== undefined ? `${command} ${String(args.volume)}` : command);
    if (command === 'pauseAll') {
      if (this.pausedAll) return { outcome: 'warning', message: 'already paused by pauseAll' };
      this.pausedAll = true;
    }
    if (command === 'resumeAll') this.pausedAll = false;
    return { outcome: 'success', message: 'ok' };
  }
}

function setup(names: string[]) {
  const zones = new ZoneRegistry();
  const fakes = names.map((n) => new FakeZone(n));
  for (const f of fakes) zones.add(f as unknown as ZoneRunner);
  const changes: boolean[] = [];
  const warnings: string[] = [];
  const pause = new SystemPause({
    zones,
    log: quiet,
    warning: (z, m) => warnings.push(`${z}: ${m}`),
    changed: (on) => changes.push(on),
  });
  const run = (name: 'pause' | 'resume') =>
    pause.handlers()[name]({}, spec('getState'), {
      id: null,
      source: { kind: 'system' },
      origin: 'test',
      signal: new AbortController().signal,
    });
  return { pause, fakes, changes, warnings, run };
}

describe('SystemPause', () => {
  it('pauses every zone, leaves one already paused by pauseAll alone at resume, and says so in the state', async () => {
    const { fakes, changes, run, pause } = setup(['a', 'b']);
    fakes[1]!.pausedAll = true;
    const r = await run('pause');
    expect(r).toMatchObject({ outcome: 'success', result: { paused: ['a'], already_paused: ['b'] } });
    expect(pause.active).toBe(true);
    const back = await run('resume');
    expect(back).toMatchObject({ outcome: 'success', result: { resumed: ['a'] } });
    expect(fakes[0]!.pausedAll).toBe(false);
    expect(fakes[1]!.pausedAll).toBe(true);
    expect(changes).toEqual([true, false]);
  });

  it('holds media commands (warning, paused) and runs them in order at resume; reads run at once', async () => {
    const { fakes, run, pause } = setup(['a']);
    await run('pause');
    expect(pause.gate('a', spec('getState'), {}, null)).toBeNull();
    expect(pause.gate('a', spec('getMpvProperty'), {}, null)).toBeNull();
    expect(pause.gate('a', spec('setVolume'), { volume: 40 }, 'x')).toMatchObject({
      outcome: 'warning',
      error_type: 'paused',
      result: { held: 1 },
    });
    expect(pause.gate('a', spec('stopAll'), {}, null)).toMatchObject({ outcome: 'warning', result: { held: 2 } });
    expect(pause.gate('a', spec('reset'), {}, null)).toBeNull();
    const r = await run('resume');
    expect(r.result).toMatchObject({ replayed: { a: 2 } });
    expect(fakes[0]!.log).toEqual(['pauseAll', 'resumeAll', 'setVolume 40', 'stopAll']);
    expect(pause.gate('a', spec('setVolume'), { volume: 50 }, null)).toBeNull();
  });

  it('bounds what a zone holds', async () => {
    const { run, pause } = setup(['a']);
    await run('pause');
    for (let i = 0; i < 100; i++) pause.gate('a', spec('setVolume'), { volume: i }, null);
    expect(() => pause.gate('a', spec('setVolume'), { volume: 1 }, null)).toThrow(CommandError);
  });

  it('a worker that becomes ready during the pause is paused too, and resumed', async () => {
    const { fakes, run, pause } = setup(['a']);
    await run('pause');
    fakes[0]!.pid = 200;
    fakes[0]!.pausedAll = false;
    pause.zoneReady(fakes[0] as unknown as ZoneRunner);
    await new Promise((r) => setImmediate(r));
    expect(fakes[0]!.pausedAll).toBe(true);
    pause.zoneReady(fakes[0] as unknown as ZoneRunner);
    expect(fakes[0]!.log.filter((c) => c === 'pauseAll')).toHaveLength(2);
    await run('resume');
    expect(fakes[0]!.pausedAll).toBe(false);
  });

  it('a second pause and a resume without pause are warnings', async () => {
    const { run } = setup(['a']);
    expect((await run('resume')).outcome).toBe('warning');
    await run('pause');
    expect((await run('pause')).outcome).toBe('warning');
  });
});
