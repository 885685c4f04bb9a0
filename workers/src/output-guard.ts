import type { OutputStatus } from '@mpvisor/protocol';
import { CoalescedTask, isOurs, Pactl, PulseWatch, type PulseEvent, type PulseSink } from '@mpvisor/pulse';
import type { MpvSlot } from './mpv-slot.js';
import { OutputReport } from './output-report.js';
import { assessOutput } from './output-status.js';
import type { Reporter } from './reporter.js';
import { StreamMover } from './stream-mover.js';
import type { ZoneStream } from './stream-placement.js';

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
  zoneName: string;
  /** The zone's own sink (its audio_device without `pulse/`, or its combine sink). */
  sink: string;
  /** The devices behind the zone's own sink (combine slaves, an isolated zone's device); empty when it plays to its device itself. */
  devices: readonly string[];
  /** An isolated zone is heard on its device only through its bridge (see OutputFacts.bridge). */
  isolated: boolean;
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
 * room), muted until seen there, and idle mpv pointed there (StreamMover); when the sink returns, they go back to it, where the music has kept time;
 * when the server itself returns, the music is started again. Each check also yields the output's
 * truth (present, state, mute, volume, streams moved by someone else) for the zone state.
 */
export class OutputGuard {
  private readonly pactl: Pactl;
  private readonly watch: PulseWatch;
  private readonly mover: StreamMover;
  private readonly report: OutputReport;
  private sinkIndex: number | null = null;
  private hold: PulseSink | null = null;
  private lostServer = false;
  /** When the server last answered again after it was lost (Date.now()). */
  private serverBackAt = 0;
  /** On the null output for want of a server: moved (resume()) only onto its own sink, never held. */
  private waiting: boolean;
  /** Our streams (sink-inputs of our mpv) as last listed. */
  private streams: ZoneStream[] = [];
  private readonly task: CoalescedTask;
  private recheck: NodeJS.Timeout | null = null;

  constructor(private readonly opts: OutputGuardOptions) {
    this.waiting = opts.waitingForServer === true;
    this.pactl = new Pactl({ env: opts.env, timeoutMs: 3000 });
    this.mover = new StreamMover({ pactl: this.pactl, slots: () => opts.zone.slots(), reporter: opts.reporter });
    this.report = new OutputReport(opts.sink, opts.reporter, (status) => opts.zone.setOutput(status));
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
    return this.report.status;
  }

  /** No audio server now: the music cannot progress, which is not a stall of mpv. */
  get serverMissing(): boolean {
    return this.report.status?.server === false;
  }

  start(): void {
    // The first check runs once the watch knows whether a server is there.
    this.watch.start();
    this.recheck = setInterval(() => this.task.schedule(0), this.opts.recheckMs ?? 5000);
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
      this.mover.forgetPlaces();
      this.opts.reporter.debug('output guard: sink removed', { sink: e.index });
      if (this.hold) void this.mover.toHold(this.streams, this.hold);
    }
    if (e.facility === 'sink-input' && e.kind === 'remove' && e.index !== null) this.mover.forgetStream(e.index);
    // A sink that comes or goes is acted on at once, not after the settle delay of a move just made.
    const urgent = e.facility === 'sink' && e.kind !== 'change';
    if (e.facility === 'sink' || e.facility === 'sink-input' || e.facility === 'server')
      this.task.schedule(DEBOUNCE_MS, urgent);
  }

  private onServer(up: boolean): void {
    if (!up) {
      this.lostServer = this.report.status !== null;
      this.sinkIndex = null;
      this.hold = null;
      this.mover.forgetPlaces();
    } else this.serverBackAt = Date.now();
    this.task.schedule(0);
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
      this.hold = hold ?? null;
      this.streams = inputs.flatMap((i) => {
        const pid = Number(i.properties['application.process.id']);
        return mpv.has(pid) ? [{ input: i.index, pid, sink: i.sink }] : [];
      });
      await this.mover.seen(this.streams, this.sinkIndex, hold?.index ?? null);
      const target = own ?? hold;
      this.opts.reporter.debug('output guard check', {
        own: own?.index ?? null,
        hold: hold?.index ?? null,
        streams: this.streams,
        lostServer: this.lostServer,
        waiting: this.waiting,
      });
      if (target) {
        // After a server's return the zone's music starts on the holding sink only once its own sink is late.
        const wait = this.lostServer && own === undefined ? OWN_SINK_GRACE_MS - (Date.now() - this.serverBackAt) : 0;
        const fallback = own ? await this.fallback(sinks, own, hold) : null;
        const holdIndex = hold?.index ?? null;
        let moved = await this.mover.place(this.streams, target, this.sinkIndex, holdIndex, fallback, wait <= 0);
        // A zone still on the null output opens its streams on its own sink only (never the holding sink).
        if (wait > 0) this.task.schedule(wait);
        else if (this.waiting ? own !== undefined : this.lostServer) {
          this.lostServer = false;
          this.waiting = false;
          await zone.resume();
          moved++;
        }
        // Streams just moved (re)link and their sink wakes from suspend: judge once they have settled.
        if (moved > 0) return this.task.schedule(SETTLE_MS);
      }
    }
    this.report.publish(
      assessOutput({
        sink,
        devices: this.opts.devices,
        bridge: this.opts.isolated ? { owner: tag, zone: this.opts.zoneName } : null,
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

  /** The server's default sink, asked only when a placed stream of ours plays elsewhere (one pactl call). */
  private async fallback(
    sinks: readonly PulseSink[],
    own: PulseSink,
    hold: PulseSink | undefined,
  ): Promise<number | null> {
    if (!this.mover.placedElsewhere(this.streams, own.index, hold?.index ?? null)) return null;
    const name = await this.pactl.defaultSink();
    return sinks.find((s) => s.name === name)?.index ?? null;
  }
}
