import type { Pactl, PulseSink } from '@mpvisor/pulse';
import { pointIdle, setStreamMute } from './mpv-audio-controls.js';
import type { MpvSlot } from './mpv-slot.js';
import type { Reporter } from './reporter.js';
import { moveDidNotTake, mutedToRelease, streamsToPlace, updatePlaced, type ZoneStream } from './stream-placement.js';

/** A move made this long ago whose stream is not where it was sent did not take. */
const MOVE_SETTLE_MS = 300;
/** Repeats of a move that did not take, before the stream is left (muted) where it is. */
const MAX_REPEATS = 5;

export interface StreamMoverOptions {
  pactl: Pactl;
  /** Every mpv of the zone, idle ones included. */
  slots: () => readonly MpvSlot[];
  reporter: Reporter;
}

/**
 * The output guard's hands: moves the zone's streams between sinks (server-side moves, so the music
 * keeps its place) and remembers what it did to each stream, which is what tells the server's and
 * other people's moves from its own. While the zone's sink is gone its playing mpv stay muted until
 * their streams are seen on the holding sink: a move the server acknowledges may still not happen
 * (see `move`), and the stream would play on in another room meanwhile.
 */
export class StreamMover {
  /** Streams seen on the zone's sink or put there by us: found elsewhere, someone else moved them. */
  private placed = new Set<number>();
  /** Streams our move put on the zone's sink, by the sink they were on, until seen there. */
  private movedFrom = new Map<number, number>();
  /** Our last move of each stream: to which sink, when (Date.now()), how many repeats of it. */
  private lastMove = new Map<number, { to: number; at: number; tries: number }>();
  /** Pids of mpv muted when the zone's sink went. */
  private muted = new Set<number>();

  constructor(private readonly opts: StreamMoverOptions) {}

  /** The zone's sink or the server went: where our streams are now is no one's choice. */
  forgetPlaces(): void {
    this.placed.clear();
    this.movedFrom.clear();
    this.lastMove.clear();
  }

  /** A stream closed: a server may give its index to the next one (PipeWire does). */
  forgetStream(input: number): void {
    this.placed.delete(input);
    this.movedFrom.delete(input);
    this.lastMove.delete(input);
  }

  /** A placed stream of ours plays on neither the zone's sink nor the holding sink. */
  placedElsewhere(streams: readonly ZoneStream[], own: number, hold: number | null): boolean {
    return streams.some((s) => s.sink !== own && s.sink !== hold && this.placed.has(s.input));
  }

  /** What a listing showed: streams on the zone's sink are placed, muted mpv heard only there or on hold sound again. */
  async seen(streams: readonly ZoneStream[], own: number | null, hold: number | null): Promise<void> {
    this.placed = updatePlaced(this.placed, streams, own);
    for (const s of streams) {
      if (s.sink === own) this.movedFrom.delete(s.input);
      // A move seen to take is done with: a later move of that stream (the server's, someone's) is not its repeat.
      if (this.lastMove.get(s.input)?.to === s.sink) this.lastMove.delete(s.input);
    }
    for (const pid of this.muted) if (!this.opts.slots().some((s) => s.pid === pid)) this.muted.delete(pid);
    const safe = new Set([own, hold].filter((i) => i !== null));
    const release = new Set(mutedToRelease(this.muted, streams, safe));
    if (release.size === 0) return;
    const unmuted = await setStreamMute(
      this.opts.slots().filter((s) => s.pid !== null && release.has(s.pid)),
      false,
    );
    for (const pid of unmuted) this.muted.delete(pid);
    this.opts.reporter.debug('output guard unmuted', { pids: unmuted });
  }

  /**
   * The zone's sink is gone: the server has just moved its streams to its default sink, usually another
   * room. Each playing mpv mutes its own stream at once (a pactl process takes its time to start on a
   * busy machine), the streams go to the holding sink, idle mpv open their next one there.
   */
  async toHold(streams: readonly ZoneStream[], hold: PulseSink): Promise<void> {
    const playing = new Set(streams.map((s) => s.pid));
    const muted = await setStreamMute(
      this.opts.slots().filter((s) => s.pid !== null && playing.has(s.pid)),
      true,
    );
    for (const pid of muted) this.muted.add(pid);
    this.opts.reporter.debug('output guard muted', { pids: muted });
    await Promise.all([
      ...streams.map((s) => this.move(s, hold, null)),
      pointIdle(this.opts.slots(), `pulse/${hold.name}`, playing, this.opts.reporter),
    ]);
  }

  /**
   * The zone's streams onto `target` (streamsToPlace says which). An mpv without a stream opens its next
   * one on the target (unless `idleToo` is false: pointing an mpv that lost its server at another
   * device takes it up to a second, wasted while its own sink is awaited). Returns how many changed.
   */
  async place(
    streams: readonly ZoneStream[],
    target: PulseSink,
    own: number | null,
    hold: number | null,
    fallback: number | null,
    idleToo: boolean,
  ): Promise<number> {
    const astray = streamsToPlace(streams, target.index, hold, this.placed, fallback, this.movedFrom);
    const [moved, pointed] = await Promise.all([
      Promise.all(astray.map((s) => this.move(s, target, own))),
      idleToo
        ? pointIdle(this.opts.slots(), `pulse/${target.name}`, new Set(streams.map((s) => s.pid)), this.opts.reporter)
        : 0,
    ]);
    return moved.reduce((a: number, b) => a + b, 0) + pointed;
  }

  /**
   * One server-side move; one that did not take is made again, up to MAX_REPEATS times. pipewire-pulse
   * 0.3.65 acknowledges a move before it has passed the new target on to PipeWire, and pactl quits on
   * the acknowledgement: now and then the target never arrives (its log shows the move, WirePlumber's
   * no metadata change), so the stream stays where it was. A new move is a new chance; after the last
   * the stream stays muted where it is and goes home with its sink.
   */
  private async move(s: ZoneStream, target: PulseSink, own: number | null): Promise<number> {
    const { pactl, reporter } = this.opts;
    const now = Date.now();
    const last = this.lastMove.get(s.input);
    const repeat = moveDidNotTake(last, s, target.index, now, MOVE_SETTLE_MS);
    const tries = repeat && last ? last.tries + 1 : 0;
    if (tries > MAX_REPEATS) return 0;
    if (repeat) {
      const say = `audio stream ${s.input} did not move to ${target.name}; moving it again`;
      if (tries === 1) reporter.info(say, { tries });
      else reporter.debug(say, { tries });
    }
    try {
      await pactl.moveSinkInput(s.input, target.name);
    } catch (err) {
      reporter.debug('output guard move failed', { input: s.input, to: target.name, err: String(err) });
      return 0;
    }
    this.lastMove.set(s.input, { to: target.index, at: now, tries });
    if (target.index === own) {
      this.placed.add(s.input);
      this.movedFrom.set(s.input, s.sink);
    }
    reporter.debug('output guard moved', { input: s.input, from: s.sink, to: target.name });
    return 1;
  }
}
