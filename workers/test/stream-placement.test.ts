import { describe, expect, it } from '@jest/globals';
import { moveDidNotTake, mutedToRelease, streamsToPlace, updatePlaced } from '../src/stream-placement.js';

// Sinks by index: 0 the zone's own, 1 another room, 2 our holding sink.
const OWN = 0;
const OTHER = 1;
const HOLD = 2;
const on = (input: number, sink: number) => ({ input, pid: 100 + input, sink });

describe('which of a zone streams the output guard moves', () => {
  it('moves a stream waiting on the holding sink back onto the zone sink', () => {
    expect(streamsToPlace([on(7, HOLD), on(8, OWN)], OWN, HOLD, new Set([8]))).toEqual([on(7, HOLD)]);
  });

  it('moves a stream the server put elsewhere before it was ever placed (just opened or reopened)', () => {
    expect(streamsToPlace([on(7, OTHER)], OWN, HOLD, new Set())).toEqual([on(7, OTHER)]);
  });

  it('leaves a placed stream that someone else moved away where it is, however soon after our own move', () => {
    const placed = updatePlaced(new Set(), [on(7, OWN)], OWN);
    expect(streamsToPlace([on(7, OTHER)], OWN, HOLD, placed)).toEqual([]);
  });

  it('moves a placed stream found on the default sink back: the server moved it there, following the default', () => {
    const placed = new Set([7, 8]);
    expect(streamsToPlace([on(7, OTHER), on(8, 3)], OWN, HOLD, placed, OTHER)).toEqual([on(7, OTHER)]);
  });

  it('moves again a stream our move left where it was (the move did not take), not one moved to a third sink', () => {
    const movedFrom = new Map([[7, OTHER]]);
    expect(streamsToPlace([on(7, OTHER)], OWN, HOLD, new Set([7]), null, movedFrom)).toEqual([on(7, OTHER)]);
    expect(streamsToPlace([on(7, 99)], OWN, HOLD, new Set([7]), null, movedFrom)).toEqual([]);
  });

  it('while the zone sink is gone, moves every stream not on the holding sink, placed or not', () => {
    expect(streamsToPlace([on(7, OTHER), on(8, HOLD)], HOLD, HOLD, new Set([7]))).toEqual([on(7, OTHER)]);
  });
});

describe('the set of placed streams', () => {
  it('takes in streams seen on the zone sink and keeps them wherever they go next', () => {
    const placed = updatePlaced(new Set(), [on(7, OWN), on(8, HOLD)], OWN);
    expect([...placed]).toEqual([7]);
    expect([...updatePlaced(placed, [on(7, OTHER), on(8, HOLD)], OWN)]).toEqual([7]);
  });

  it('forgets streams no longer listed, so a new stream given the same index is placed afresh', () => {
    expect([...updatePlaced(new Set([7]), [on(9, OTHER)], OWN)]).toEqual([]);
  });

  it('is empty while the zone sink is gone: the server moved those streams, no one chose where', () => {
    expect([...updatePlaced(new Set([7]), [on(7, OTHER)], null)]).toEqual([]);
  });
});

describe('mpv muted while the zone sink is gone', () => {
  const safe = new Set([OWN, HOLD]);
  it('sound again once every stream of theirs is on the holding or the zone sink', () => {
    expect(mutedToRelease(new Set([107, 108]), [on(7, HOLD), on(8, OTHER)], safe)).toEqual([107]);
  });

  it('stay muted while one of their streams still plays in another room (a move that did not take)', () => {
    const twoStreams = [on(7, HOLD), { input: 9, pid: 107, sink: OTHER }];
    expect(mutedToRelease(new Set([107]), twoStreams, safe)).toEqual([]);
  });

  it('stay muted with no stream at all: the next one may open muted, restored by the server', () => {
    expect(mutedToRelease(new Set([107]), [], safe)).toEqual([]);
  });
});

describe('a move of ours that did not take', () => {
  it('is one made a settle delay ago whose stream is still elsewhere', () => {
    expect(moveDidNotTake({ to: HOLD, at: 1000 }, on(7, OTHER), HOLD, 1300, 300)).toBe(true);
  });

  it('is not one just made, one that took, one to another sink, or no move at all', () => {
    expect(moveDidNotTake({ to: HOLD, at: 1000 }, on(7, OTHER), HOLD, 1100, 300)).toBe(false);
    expect(moveDidNotTake({ to: HOLD, at: 1000 }, on(7, HOLD), HOLD, 2000, 300)).toBe(false);
    expect(moveDidNotTake({ to: OWN, at: 1000 }, on(7, OTHER), HOLD, 2000, 300)).toBe(false);
    expect(moveDidNotTake(undefined, on(7, OTHER), HOLD, 2000, 300)).toBe(false);
  });
});
