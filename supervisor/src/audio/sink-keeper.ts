import { wantsOwnSink, type ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import {
  CoalescedTask,
  combinedSinkName,
  ourSinks,
  PulseWatch,
  sinkNameOf,
  type PulseEvent,
  type PulseSink,
} from '@mpvisor/pulse';
import type { CombinedSinks } from './combined-sinks.js';
import { ownsSink } from './holding-sink.js';
import { isolatedDevice } from './isolated-sinks.js';

export interface SinkKeeperOptions {
  sinks: CombinedSinks;
  /** The enabled zones. */
  zones: () => readonly ZoneConfig[];
  /** A reset is running: it owns the sinks until it ends. */
  busy: () => boolean;
  /** A zone's combine sink could not be re-created. */
  warn: (zone: string, message: string) => void;
  /**
   * A zone's own sink was made: the device its next worker plays to (a zone that started while its sink
   * could not be made plays to its configured device until then).
   */
  made: (zone: string, device: string) => void;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

const DEBOUNCE_MS = 50;
const BUSY_RETRY_MS = 500;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Keeps our sinks true while outputs and the audio server come and go (one `pactl subscribe` for the
 * supervisor): the server gone -> the ledger forgets the modules it took with it; the server back ->
 * holding sink and combine sinks loaded again (tagged, recorded); a slave of a combined-audio zone
 * back -> that zone's combine sink re-created with all its slaves; an isolated zone's device back -> its
 * sink bridged to it again. Workers move their own streams.
 */
export class SinkKeeper {
  private readonly watch: PulseWatch;
  private readonly task: CoalescedTask;
  /** Combined zones that lost a slave since their sink was made; isolated zones whose bridge ended with their device. */
  private readonly slaveLost = new Set<string>();
  /** Sink names by index as last listed: a removal event names only the index. */
  private names = new Map<number, string>();
  /** The last warning of each zone whose sink or bridge is still to be made. */
  private readonly warned = new Map<string, string>();
  private retryMs = RETRY_FIRST_MS;
  /** Stopped for good (shutdown): a reload committing late never starts the watch again. */
  private ended = false;

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

  /** Watch the server once some zone owns a sink; called at start and after each reload (again: no-op). */
  start(): void {
    if (!this.ended && this.opts.zones().some(ownsSink)) this.watch.start();
  }

  async stop(): Promise<void> {
    this.ended = true;
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
    return this.opts.zones().filter(wantsOwnSink);
  }

  private slavesOf(zone: ZoneConfig): string[] {
    return zone.combined_sinks.map(sinkNameOf).filter((s): s is string => s !== null);
  }

  /**
   * A sink with the zone's sink name that is not ours (creating the zone's sink was refused with a
   * warning): it is never re-created over, nor bridged from, nor unloaded.
   */
  private foreignNamesake(zone: ZoneConfig, listed: readonly PulseSink[]): boolean {
    const name = combinedSinkName(zone.name);
    const tag = this.opts.sinks.installationTag;
    return listed.some((s) => s.name === name) && !ourSinks(listed, tag).some((s) => s.name === name);
  }

  private onServer(up: boolean): void {
    if (up) {
      this.opts.log.debug('audio server connected: our sinks are checked');
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
    const listed = await sinks.present();
    if (!listed) {
      this.opts.log.debug('audio server not answering a listing: our sinks wait for its next event');
      return;
    }
    this.names = new Map(listed.map((s) => [s.index, s.name]));
    // One listing for all, and the holding sink and each combine sink made side by side: after a server's
    // return every pactl round trip in line delays the combined zones' music (it plays on their combine sink).
    const keepHold = async () => {
      const warning = await sinks.ensureHold(listed);
      if (warning) log.warn(warning);
    };
    await Promise.all([
      keepHold(),
      ...this.combinedZones().map((zone) =>
        zone.isolate_output ? this.keepIsolated(zone, listed) : this.keepCombined(zone, listed),
      ),
    ]);
  }

  /**
   * An isolated zone keeps its sink whatever its device does (the servers end its bridge with the device,
   * never move it): its sink is made again only when it is gone (a server's return), and the bridge to
   * its device when the device is back.
   */
  private async keepIsolated(zone: ZoneConfig, listed: readonly PulseSink[]): Promise<void> {
    const present = new Set(listed.map((s) => s.name));
    const device = isolatedDevice(zone);
    if (device === null || this.foreignNamesake(zone, listed)) return;
    if (!present.has(combinedSinkName(zone.name))) {
      const plan = await this.opts.sinks.create(zone, listed);
      if (plan.device) this.opts.made(zone.name, plan.device);
      if (plan.warning) this.failed(zone, plan.warning);
      else this.succeeded(zone);
      if (plan.device && !plan.warning && present.has(device)) this.slaveLost.delete(zone.name);
      else this.slaveLost.add(zone.name);
      return;
    }
    if (!present.has(device)) {
      this.slaveLost.add(zone.name);
      return;
    }
    if (!this.slaveLost.has(zone.name)) return;
    const warning = await this.opts.sinks.bridge(zone);
    if (warning) this.failed(zone, warning);
    else {
      this.succeeded(zone);
      this.slaveLost.delete(zone.name);
    }
  }

  private async keepCombined(zone: ZoneConfig, listed: readonly PulseSink[]): Promise<void> {
    if (this.foreignNamesake(zone, listed)) return;
    const present = new Set(listed.map((s) => s.name));
    if (!this.slavesOf(zone).every((s) => present.has(s))) {
      this.slaveLost.add(zone.name);
      return;
    }
    if (present.has(combinedSinkName(zone.name)) && !this.slaveLost.has(zone.name)) return;
    const plan = await this.opts.sinks.create(zone, listed);
    if (plan.device) this.opts.made(zone.name, plan.device);
    if (plan.warning) this.failed(zone, plan.warning);
    else {
      this.succeeded(zone);
      this.slaveLost.delete(zone.name);
      this.opts.log.info('combined sink re-created', { zone: zone.name });
    }
  }

  /**
   * A sink or bridge that could not be made is tried again by itself, with backoff (nothing else may
   * happen on the server to prompt it); the same warning is published once, not at every try.
   */
  private failed(zone: ZoneConfig, warning: string): void {
    if (this.warned.get(zone.name) !== warning) this.opts.warn(zone.name, warning);
    this.warned.set(zone.name, warning);
    this.schedule(this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  private succeeded(zone: ZoneConfig): void {
    this.warned.delete(zone.name);
    if (this.warned.size === 0) this.retryMs = RETRY_FIRST_MS;
  }
}
