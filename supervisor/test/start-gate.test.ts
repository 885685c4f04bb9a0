import { describe, expect, it } from '@jest/globals';
import { StartGate } from '../src/zones/start-gate.js';

describe('StartGate: at most `limit` first starts at once', () => {
  it('starts up to the limit at once, the rest in arrival order as places free', () => {
    const gate = new StartGate(2);
    const started: string[] = [];
    const leave = ['a', 'b', 'c', 'd'].map((z) => gate.enter(() => started.push(z)));
    expect(started).toEqual(['a', 'b']);
    expect([gate.starting, gate.queued]).toEqual([2, 2]);
    leave[1]();
    expect(started).toEqual(['a', 'b', 'c']);
    leave[0]();
    leave[2]();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect([gate.starting, gate.queued]).toEqual([1, 0]);
  });

  it('a start dropped while waiting never runs and takes no place', () => {
    const gate = new StartGate(1);
    const started: string[] = [];
    const leaveA = gate.enter(() => started.push('a'));
    const leaveB = gate.enter(() => started.push('b'));
    gate.enter(() => started.push('c'));
    leaveB();
    leaveA();
    expect(started).toEqual(['a', 'c']);
    expect([gate.starting, gate.queued]).toEqual([1, 0]);
  });

  it('leaving twice frees one place only', () => {
    const gate = new StartGate(1);
    const started: string[] = [];
    const leaveA = gate.enter(() => started.push('a'));
    gate.enter(() => started.push('b'));
    gate.enter(() => started.push('c'));
    leaveA();
    leaveA();
    expect(started).toEqual(['a', 'b']);
    expect([gate.starting, gate.queued]).toEqual([1, 1]);
  });
});
