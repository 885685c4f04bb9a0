import type { ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import { CoalescedTask, combinedSinkName, PulseWatch, sinkNameOf, type PulseEvent } from '@mpvisor/pulse';
import { wantsCombinedSink, type CombinedSinks } from './combined-sinks.js';

export interface SinkKeeperOptions {
  sinks: CombinedSinks;
  /** The enabled zones. */
  zones: () => readonly ZoneConfig[];
  /** A reset is running: it owns the sinks until it ends. */
  busy: () => boolean;
  /** A zone's combine sink could not be re-created. */
  warn: (zone: string, message: string) => void;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

const DEBOUNCE_MS = 50;
const BUSY_RETRY_MS = 500;

/**
 * Keeps our sinks true while outputs and the audio server come and go (one `pactl subscribe` for the
 * supervisor): the server gone -> the ledger forgets the modules it took with it; the server back ->
 * holding sink and combine sinks loaded again (tagged, recorded); a slave of a combined-audio zone
 * back -> that zone's combine sink re-created with all its slaves. Workers move their own streams.
 */
export class SinkKeeper {
  private readonly watch: PulseWatch;
  private readonly task: CoalescedTask;
  /** Combined zones that lost a slave since their sink was made. */
  private readonly slaveLost = new Set<string>();
  /** Sink names by index as last listed: a removal event names only the index. */
  private names = new Map<number, string>();

  constructor(private readonly opts: SinkKeeperOptions) {
    this.watch = new PulseWatch({
      env: opts.env ?? process.env,
      onEvent: (e) => this.onEvent(e),
      onServer: (up) => this.onServer(up),
    });
    this.task = new CoalescedTask(
      async () => {
        // A reset owns the sinks while it runs: look again once it is over.
        if (opts.busy()) this.schedule(BUSY_RETRY_MS);
        else await this.sync();
      },
      (err) => opts.log.warn(`pulse: keeping our sinks failed: ${err.message}`),
    );
  }

  start(): void {
    this.watch.start();
  }

  async stop(): Promise<void> {
    this.watch.stop();
    await this.task.stop();
  }

  private onEvent(e: PulseEvent): void {
    if (e.facility !== 'sink' || e.kind === 'change') return;
    // Marked at once: a slave back before the next listing must still count as having been gone.
    const gone = e.kind === 'remove' && e.index !== null ? this.names.get(e.index) : undefined;
    if (gone !== undefined)
      for (const z of this.combinedZones()) if (this.slavesOf(z).includes(gone)) this.slaveLost.add(z.name);
    this.schedule(DEBOUNCE_MS);
  }

  private combinedZones(): ZoneConfig[] {
    return this.opts.zones().filter(wantsCombinedSink);
  }

  private slavesOf(zone: ZoneConfig): string[] {
    return zone.combined_sinks.map(sinkNameOf).filter((s): s is string => s !== null);
  }

  private onServer(up: boolean): void {
    if (up) {
      this.schedule(0);
      return;
    }
    void this.opts.sinks.refresh().then((reachable) => {
      if (reachable) return;
      this.opts.log.warn('audio server gone; zones wait for it (audio_server_missing)');
      this.opts.sinks.serverGone();
    });
  }

  private schedule(delayMs: number): void {
    this.task.schedule(delayMs);
  }

  private async sync(): Promise<void> {
    const { sinks, log } = this.opts;
    if (!(await sinks.refresh())) return;
    const holdWarning = await sinks.ensureHold();
    if (holdWarning) log.warn(holdWarning);
    this.names = await sinks.sinkNames();
    const present = new Set(this.names.values());
    for (const zone of this.combinedZones()) {
      const slaves = this.slavesOf(zone);
      if (!slaves.every((s) => present.has(s))) {
        this.slaveLost.add(zone.name);
        continue;
      }
      if (present.has(combinedSinkName(zone.name)) && !this.slaveLost.has(zone.name)) continue;
      const plan = await sinks.create(zone);
      if (plan.warning) this.opts.warn(zone.name, plan.warning);
      else {
        this.slaveLost.delete(zone.name);
        log.info('combined sink re-created', { zone: zone.name });
      }
    }
  }
}
