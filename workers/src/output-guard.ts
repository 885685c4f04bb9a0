import type { OutputProblem, OutputStatus } from '@mpvisor/protocol';
import { CoalescedTask, isOurs, Pactl, PulseWatch, type PulseEvent, type PulseSink, type PulseSinkInput } from '@mpvisor/pulse';
import type { MpvSlot } from './mpv-slot.js';
import { assessOutput } from './output-status.js';
import type { Reporter } from './reporter.js';

export interface GuardedZone {
  /** Every mpv of the zone, idle ones included: a new stream must open on the right sink too. */
  slots(): readonly MpvSlot[];
  /** The zone plays something now. */
  audible(): boolean;
  /** After the audio server came back: start again what the lost connection stopped. */
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
  /** Facts are asked again this often even without a server event. Default 5000 ms. */
  recheckMs?: number;
}

const DEBOUNCE_MS = 30;
const SETTLE_MS = 300;
const VERIFY_MS = 3000;
const MPV_TIMEOUT_MS = 1000;

/**
 * Output ownership for one zone: its streams play on its own sink or nowhere. It watches the audio
 * server (`pactl subscribe`); when the zone's sink goes, every mpv of the zone is switched to our
 * silent holding sink at once (the server has just moved the streams to its default sink, which is
 * usually another room); when the sink returns, they go back to it, where the music has kept time;
 * when the server itself returns, the music is started again. Each check also yields the output's
 * truth (present, state, mute, volume, streams moved by someone else) for the zone state.
 */
export class OutputGuard {
  private readonly pactl: Pactl;
  private readonly watch: PulseWatch;
  private sinkIndex: number | null = null;
  private holdPresent = false;
  private lostServer = false;
  /** Until then, streams of ours found on another sink were misplaced by the server and are moved back. */
  private verifyUntil = 0;
  private readonly task: CoalescedTask;
  private recheck: NodeJS.Timeout | null = null;
  private last: OutputStatus | null = null;

  constructor(private readonly opts: OutputGuardOptions) {
    this.pactl = new Pactl({ env: opts.env, timeoutMs: 3000 });
    this.watch = new PulseWatch({ env: opts.env, onEvent: (e) => this.onEvent(e), onServer: (up) => this.onServer(up) });
    this.task = new CoalescedTask(() => this.check(), (err) => opts.reporter.warn(`audio output check failed: ${err.message}`));
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
      if (this.holdPresent) void this.switchAll(`pulse/${this.opts.holdSink}`);
    }
    if (e.facility === 'sink' || e.facility === 'sink-input' || e.facility === 'server') this.schedule(DEBOUNCE_MS);
  }

  private onServer(up: boolean): void {
    if (!up) {
      this.lostServer = this.last !== null;
      this.sinkIndex = null;
      this.holdPresent = false;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.task.schedule(delayMs);
  }

  private async check(): Promise<void> {
    const { sink, holdSink, tag, zone } = this.opts;
    const mpv = new Map(zone.slots().flatMap((s) => (s.pid === null ? [] : [[s.pid, s.role] as const])));
    // Sinks first and alone: moving the streams waits for one pactl call, not two.
    const sinks = this.watch.connected ? await this.pactl.listSinks().catch(() => null) : null;
    let inputs: PulseSinkInput[] = [];
    if (sinks) {
      const own = sinks.find((s) => s.name === sink);
      const hold = sinks.find((s) => s.name === holdSink && isOurs(s, tag));
      this.sinkIndex = own?.index ?? null;
      this.holdPresent = hold !== undefined;
      const target = own ?? hold;
      const moved = target ? await this.switchAll(`pulse/${target.name}`, true) : 0;
      if (this.lostServer && target) {
        this.lostServer = false;
        await zone.resume();
        this.verifyUntil = Date.now() + VERIFY_MS;
      }
      if (moved > 0) this.verifyUntil = Date.now() + VERIFY_MS;
      // Streams just moved (re)link and their sink wakes from suspend: judge once they have settled.
      if (moved > 0) return this.schedule(SETTLE_MS);
      inputs = await this.pactl.listSinkInputs().catch(() => []);
      // Streams we have just (re)opened belong on the target, whatever the server or its session manager
      // chose; one moved later by someone else is reported, not fought.
      if (target && Date.now() < this.verifyUntil && (await this.pullBack(inputs, mpv, target)) > 0) return this.schedule(SETTLE_MS);
    }
    this.publish(assessOutput({ sink, holdSink, server: sinks !== null, sinks: sinks ?? [], inputs, mpv, audible: zone.audible(), now: new Date() }));
  }

  private async pullBack(inputs: readonly PulseSinkInput[], mpv: ReadonlyMap<number, string>, target: PulseSink): Promise<number> {
    const astray = inputs.filter((i) => mpv.has(Number(i.properties['application.process.id'])) && i.sink !== target.index);
    const moves = astray.map((i) => this.pactl.moveSinkInput(i.index, target.name).then(() => 1, () => 0));
    return (await Promise.all(moves)).reduce((a: number, b) => a + b, 0);
  }

  /**
   * Points every mpv of the zone at `device`: a playing stream moves at once (~4 ms), an idle mpv
   * opens its next stream there. With `onlyChanged`, mpv already there is left alone. Returns how many moved.
   */
  private async switchAll(device: string, onlyChanged = false): Promise<number> {
    const moves = this.opts.zone.slots().map(async (slot) => {
      const client = slot.client;
      if (!client) return 0;
      try {
        if (onlyChanged && (await client.getProperty<string>('audio-device', { timeoutMs: MPV_TIMEOUT_MS })) === device) return 0;
        await client.setProperty('audio-device', device, { timeoutMs: MPV_TIMEOUT_MS });
        return 1;
      } catch (err) {
        this.opts.reporter.warn(`could not switch mpv ${slot.role} to ${device}: ${(err as Error).message}`, { role: slot.role });
        return 0;
      }
    });
    return (await Promise.all(moves)).reduce((a: number, b) => a + b, 0);
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
      reporter.send({ type: 'event', event: { type: 'output', state: 'ok', detail: { sink, cleared: before.problems } } });
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
