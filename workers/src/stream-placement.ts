/** One stream of the zone as the server lists it: sink-input index, its mpv's pid, the sink it is on. */
export interface ZoneStream {
  input: number;
  pid: number;
  sink: number;
}

/**
 * Which of the zone's streams the output guard moves onto `target` (the zone's sink, or the holding
 * sink while that is gone). Pure.
 *
 * A stream counts as placed once it was seen on the zone's sink or the guard's own move put it there.
 * Until then the server or its session manager decides where it plays (a stream just (re)opened may
 * land on the default sink), and it is moved; once placed, only someone else moves it away, and that
 * is reported, not fought. No time window: a move by someone else a moment after ours is told from
 * ours by what we know of that very stream, so it always shows in the zone state.
 *
 * One exception: a placed stream found on the server's default sink (`fallback`) is moved back. The
 * server puts streams there by itself: PulseAudio 16 and pipewire-pulse move the streams of the
 * default sink along when the default changes (measured: a zone whose sink was the default followed
 * `pactl set-default-sink` to another room), as they rescue the streams of a sink that goes.
 */
export function streamsToPlace(
  streams: readonly ZoneStream[],
  target: number,
  hold: number | null,
  placed: ReadonlySet<number>,
  fallback: number | null = null,
  movedFrom: ReadonlyMap<number, number> = new Map(),
): ZoneStream[] {
  // While the zone's sink is gone nothing of ours may play anywhere but the holding sink.
  if (target === hold) return streams.filter((s) => s.sink !== target);
  // A stream still on the sink our move took it from was not moved: the move did not take (PipeWire
  // accepts a move onto a combine sink it is still setting up and leaves the stream where it was).
  const notTaken = (s: ZoneStream) => movedFrom.get(s.input) === s.sink;
  return streams.filter(
    (s) => s.sink !== target && (s.sink === hold || s.sink === fallback || !placed.has(s.input) || notTaken(s)),
  );
}

/**
 * The placed set after a listing: streams seen on the zone's sink join it, streams no longer listed
 * leave it. Without the zone's sink it is empty: the server has moved its streams away itself, and
 * where they are then is no one's choice.
 */
export function updatePlaced(
  placed: ReadonlySet<number>,
  streams: readonly ZoneStream[],
  own: number | null,
): Set<number> {
  if (own === null) return new Set();
  return new Set(streams.filter((s) => placed.has(s.input) || s.sink === own).map((s) => s.input));
}

/**
 * Which mpv muted when the zone's sink went may be heard again: each has a stream and every stream of
 * it sits on a sink no other room hears (the zone's own or the holding sink). One with no stream stays
 * muted until its next stream is seen there: a server may restore a stream's mute from the last one of
 * the same application. Pure.
 */
export function mutedToRelease(
  muted: ReadonlySet<number>,
  streams: readonly ZoneStream[],
  safe: ReadonlySet<number>,
): number[] {
  return [...muted].filter((pid) => {
    const own = streams.filter((s) => s.pid === pid);
    return own.length > 0 && own.every((s) => safe.has(s.sink));
  });
}

/**
 * Our last move of a stream onto `target` did not take: it was made at least `settleMs` ago and the
 * stream is elsewhere (pipewire-pulse can acknowledge a move it then drops). Pure.
 */
export function moveDidNotTake(
  last: { to: number; at: number } | undefined,
  stream: ZoneStream,
  target: number,
  now: number,
  settleMs: number,
): boolean {
  return last !== undefined && last.to === target && stream.sink !== target && now - last.at >= settleMs;
}
