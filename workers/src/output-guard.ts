import type { OutputProblem, OutputStatus } from '@mpvisor/protocol';
import { CoalescedTask, isOurs, Pactl, PulseWatch, type PulseEvent, type PulseSink } from '@mpvisor/pulse';
import { errorMessage } from '@mpvisor/sys';
import type { MpvSlot } from './mpv-slot.js';
import { assessOutput } from './output-status.js';
import { streamsToPlace, updatePlaced, type ZoneStream } from './stream-placement.js';
import type { Reporter } from './reporter.js';

export interface GuardedZone {
  /** Every mpv of the zone, idle ones included: a new stream must open on the right sink too. */
  slots(): readonly MpvSlot[];
  /** The zone plays something now. */
  audible(): boolean;
  /** After the audio server came back: start again what the lost connection stopped (or, on the null output for want of one, move there). */
  resume(): Promise<void>;
  /** The output's truth changed: into the zone state. */
  setOutput(status: OutputStatus): void;
}

export interface OutputGuardOptions {
  zone: GuardedZone;
  /** The zone's own sink (its audio_device without `pulse/`, or its combine sink). */
  sink: string;
  /** Our installation tag and holding sink name (the supervisor creates the sink). */
  tag: string;
  holdSink: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  /** The zone plays to the null output until a server exists: resume() then moves it to its sink. */
  waitingForServer?: boolean;
  /** Facts are asked again this often even without a server event. Default 5000 ms. */
  recheckMs?: number;
}

const DEBOUNCE_MS = 30;
const SETTLE_MS = 300;
const MPV_TIMEOUT_MS = 1000;
/**
 * After the audio server's return, how long a zone whose own sink is not there yet (our combine sink,
 * which the supervisor re-creates; a device still waking) waits for it before starting its music on the
 * holding sink. A stream that starts on the holding sink and is moved on is heard 1-2 s late on
 * PulseAudio: the fresh null sink has rendered up to 2 s ahead of it, mostly silence while mpv's first
 * buffer filled, and a move gives the stream back the old sink's whole latency (see docs/benchmarks.md).
 */
const OWN_SINK_GRACE_MS = 2000;

/**
 * Output ownership for one zone: its streams play on its own sink or nowhere. It watches the audio
 * server (`pactl subscribe`); when the zone's sink goes, the zone's streams are moved to our silent
 * holding sink at once (the server has just moved them to its default sink, which is usually another
 * room) and idle mpv pointed there; when the sink returns, they go back to it, where the music has kept time;
 * when the server itself returns, the music is started again. Each check also yields the output's
 * truth (present, state, mute, volume, streams moved by someone else) for the zone state.
 */
export class OutputGuard {
  private readonly pactl: Pactl;
  private readonly watch: PulseWatch;
  private sinkIndex: number | null = null;
  private holdPresent = false;
  private lostServer = false;
  /** When the server last answered again after it was lost (Date.now()). */
  private serverBackAt = 0;
  /** On the null output for want of a server: moved (resume()) only onto its own sink, never held. */
  private waiting: boolean;
  /** Our streams (sink-inputs of our mpv) as last listed. */
  private streams: ZoneStream[] = [];
  /** Streams seen on the zone's sink or put there by us: found elsewhere, someone else moved them. */
  private placed = new Set<number>();
  /** Streams our move put on the zone's sink, by the sink they were on, until seen there. */
  private movedFrom = new Map<number, number>();
  private readonly task: CoalescedTask;
  private recheck: NodeJS.Timeout | null = null;
  private last: OutputStatus | null = null;

  constructor(private readonly opts: OutputGuardOptions) {
    this.waiting = opts.waitingForServer === true;
    this.pactl = new Pactl({ env: opts.env, timeoutMs: 3000 });
    this.watch = new PulseWatch({
      env: opts.env,
      onEvent: (e) => this.onEvent(e),
      onServer: (up) => this.onServer(up),
    });
    this.task = new CoalescedTask(
      () => this.check(),
      (err) => opts.reporter.warn(`audio output check failed: ${err.message}`),
    );
  }

  get status(): OutputStatus | null {
    return this.last;
  }

  /** No audio server now: the music cannot progress, which is not a stall of mpv. */
  get serverMissing(): boolean {
    return this.last?.server === false;
  }

  start(): void {
    // The first check runs once the watch knows whether a server is there.
    this.watch.start();
    this.recheck = setInterval(() => this.schedule(0), this.opts.recheckMs ?? 5000);
  }

  stop(): void {
    this.watch.stop();
    void this.task.stop();
    if (this.recheck) clearInterval(this.recheck);
  }

  private onEvent(e: PulseEvent): void {
    if (e.facility === 'sink' && e.kind === 'remove' && e.index !== null && e.index === this.sinkIndex) {
      // The server has already moved our streams to its default sink: no listing first, every ms counts.
      this.sinkIndex = null;
      this.placed.clear();
      this.movedFrom.clear();
      if (this.holdPresent) void this.toHold();
    }
    // A server may give a closed stream's index to the next one (PipeWire does): that one is not placed yet.
    if (e.facility === 'sink-input' && e.kind === 'remove' && e.index !== null) {
      this.placed.delete(e.index);
      this.movedFrom.delete(e.index);
    }
    // A sink that comes or goes is acted on at once, not after the settle delay of a move just made.
    const urgent = e.facility === 'sink' && e.kind !== 'change';
    if (e.facility === 'sink' || e.facility === 'sink-input' || e.facility === 'server')
      this.task.schedule(DEBOUNCE_MS, urgent);
  }

  /**
   * Our streams as last listed go to the holding sink, idle mpv open their next one there. A pactl
   * process takes its time to start on a busy machine, so each playing mpv first mutes its own stream
   * through its open server connection (`ao-mute`, at once) and unmutes it once it has been moved.
   */
  private async toHold(): Promise<void> {
    const { holdSink } = this.opts;
    const playing = new Set(this.streams.map((s) => s.pid));
    const slots = this.opts.zone.slots().filter((s) => s.pid !== null && playing.has(s.pid));
    const mute = (on: boolean) =>
      Promise.all(
        slots.map((s) => s.client?.setProperty('ao-mute', on, { timeoutMs: MPV_TIMEOUT_MS }).catch(() => undefined)),
      );
    await mute(true);
    await Promise.all([
      ...this.streams.map((s) => this.pactl.moveSinkInput(s.input, holdSink).catch(() => undefined)),
      this.pointIdle(`pulse/${holdSink}`, playing),
    ]);
    await mute(false);
  }

  private onServer(up: boolean): void {
    if (!up) {
      this.lostServer = this.last !== null;
      this.sinkIndex = null;
      this.holdPresent = false;
      this.placed.clear();
      this.movedFrom.clear();
    } else this.serverBackAt = Date.now();
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.task.schedule(delayMs);
  }

  private async check(): Promise<void> {
    const { sink, holdSink, tag, zone } = this.opts;
    const mpv = new Map(zone.slots().flatMap((s) => (s.pid === null ? [] : [[s.pid, s.role] as const])));
    const listed = this.watch.connected
      ? await Promise.all([this.pactl.listSinks(), this.pactl.listSinkInputs()]).catch(() => null)
      : null;
    const [sinks, inputs] = listed ?? [null, []];
    if (sinks) {
      const own = sinks.find((s) => s.name === sink);
      const hold = sinks.find((s) => s.name === holdSink && isOurs(s, tag));
      this.sinkIndex = own?.index ?? null;
      this.holdPresent = hold !== undefined;
      this.streams = inputs.flatMap((i) => {
        const pid = Number(i.properties['application.process.id']);
        return mpv.has(pid) ? [{ input: i.index, pid, sink: i.sink }] : [];
      });
      this.placed = updatePlaced(this.placed, this.streams, own?.index ?? null);
      for (const s of this.streams) if (s.sink === own?.index) this.movedFrom.delete(s.input);
      const target = own ?? hold;
      this.opts.reporter.debug('output guard check', {
        own: own?.index ?? null,
        hold: hold?.index ?? null,
        streams: this.streams,
        lostServer: this.lostServer,
        waiting: this.waiting,
        placed: [...this.placed],
      });
      if (target) {
        // After a server's return the zone's music starts on the holding sink only once its own sink is late.
        const wait = this.lostServer && own === undefined ? OWN_SINK_GRACE_MS - (Date.now() - this.serverBackAt) : 0;
        const fallback = own ? await this.fallback(sinks, own, hold) : null;
        let moved = await this.place(target, hold?.index ?? null, fallback, wait <= 0);
        // A zone still on the null output opens its streams on its own sink only (never the holding sink).
        if (wait > 0) this.schedule(wait);
        else if (this.waiting ? own !== undefined : this.lostServer) {
          this.lostServer = false;
          this.waiting = false;
          await zone.resume();
          moved++;
        }
        // Streams just moved (re)link and their sink wakes from suspend: judge once they have settled.
        if (moved > 0) return this.schedule(SETTLE_MS);
      }
    }
    this.publish(
      assessOutput({
        sink,
        holdSink,
        server: sinks !== null,
        sinks: sinks ?? [],
        inputs,
        mpv,
        audible: zone.audible(),
        now: new Date(),
      }),
    );
  }

  /**
   * The zone's streams onto `target` (streamsToPlace says which), moved by the server: the stream and
   * its position stay as they are (mpv reopening its output would lose ~0.5 s of music each time). An
   * mpv without a stream opens its next one on the target (unless `pointIdle` is false: pointing an mpv
   * that lost its server at another device takes it up to a second, wasted while its own sink is awaited).
   */
  private async place(
    target: PulseSink,
    holdIndex: number | null,
    fallback: number | null,
    pointIdle = true,
  ): Promise<number> {
    const astray = streamsToPlace(this.streams, target.index, holdIndex, this.placed, fallback, this.movedFrom);
    const moves = astray.map((s) =>
      this.pactl.moveSinkInput(s.input, target.name).then(
        () => {
          if (target.index === this.sinkIndex) {
            this.placed.add(s.input);
            this.movedFrom.set(s.input, s.sink);
          }
          this.opts.reporter.debug('output guard moved', { input: s.input, from: s.sink, to: target.name });
          return 1;
        },
        (err) => {
          this.opts.reporter.debug('output guard move failed', { input: s.input, to: target.name, err: String(err) });
          return 0;
        },
      ),
    );
    const [moved, pointed] = await Promise.all([
      Promise.all(moves),
      pointIdle ? this.pointIdle(`pulse/${target.name}`, new Set(this.streams.map((s) => s.pid))) : 0,
    ]);
    return moved.reduce((a: number, b) => a + b, 0) + pointed;
  }

  /** The server's default sink, asked only when a placed stream of ours plays elsewhere (one pactl call). */
  private async fallback(
    sinks: readonly PulseSink[],
    own: PulseSink,
    hold: PulseSink | undefined,
  ): Promise<number | null> {
    const elsewhere = this.streams.some(
      (s) => s.sink !== own.index && s.sink !== hold?.index && this.placed.has(s.input),
    );
    if (!elsewhere) return null;
    const name = await this.pactl.defaultSink();
    return sinks.find((s) => s.name === name)?.index ?? null;
  }

  /** mpv that have no stream now (idle, or between items) open their next one on `device`. Returns how many changed. */
  private async pointIdle(device: string, playing: ReadonlySet<number>): Promise<number> {
    const changes = this.opts.zone.slots().map(async (slot) => {
      const client = slot.client;
      if (!client || slot.pid === null || playing.has(slot.pid)) return 0;
      try {
        if ((await client.getProperty<string>('audio-device', { timeoutMs: MPV_TIMEOUT_MS })) === device) return 0;
        await client.setProperty('audio-device', device, { timeoutMs: MPV_TIMEOUT_MS });
        return 1;
      } catch (err) {
        this.opts.reporter.warn(`could not point mpv ${slot.role} at ${device}: ${errorMessage(err)}`, {
          role: slot.role,
        });
        return 0;
      }
    });
    return (await Promise.all(changes)).reduce((a: number, b) => a + b, 0);
  }

  /** Into the zone state when anything changed; a warning for each new problem, an event when all clear. */
  private publish(status: OutputStatus): void {
    const before = this.last;
    this.last = status;
    const { reporter, zone, sink } = this.opts;
    const fresh = status.problems.filter((p) => !before?.problems.includes(p));
    for (const problem of fresh) {
      const reason = problem === status.problems[0] ? status.reason : problemSentence(problem, sink);
      reporter.send({ type: 'warning', message: `audio output: ${reason ?? problem}` });
      reporter.send({ type: 'event', event: { type: 'output', state: problem, detail: { sink, reason } } });
    }
    if (before && before.problems.length > 0 && status.problems.length === 0) {
      reporter.info(`audio output ${sink} back to normal`);
      reporter.send({
        type: 'event',
        event: { type: 'output', state: 'ok', detail: { sink, cleared: before.problems } },
      });
    }
    if (!before || !sameStatus(before, status)) zone.setOutput(status);
  }
}

const problemSentence = (p: OutputProblem, sink: string) => `${p.replace(/_/g, ' ')} (${sink})`;

function sameStatus(a: OutputStatus, b: OutputStatus): boolean {
  const { checked_at: _a, ...x } = a;
  const { checked_at: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}
