import { wantsOwnSink, type ZoneConfig } from '@mpvisor/config';
import type { Ledger, PulseModuleEntry } from '@mpvisor/ledger';
import type { Logger } from '@mpvisor/log';
import {
  canConnect,
  combinedSinkName,
  installationId,
  ourSinks,
  Pactl,
  pulseSocketPath,
  sinkNameOf,
  type PulseSink,
  type UnloadReport,
} from '@mpvisor/pulse';
import { errorMessage } from '@mpvisor/sys';
import { ensureHoldSink, ownsSink } from './holding-sink.js';
import { bridgeIsolatedSink, createIsolatedSink } from './isolated-sinks.js';

export { combinedSinkName };

export interface CombinedSinksOptions {
  stateDir: string;
  log: Logger;
  /** The ownership ledger (records every module we load); absent until it is ready. */
  ledger: () => Ledger | null;
  env?: NodeJS.ProcessEnv;
}

/** What the sink mpvisor makes for a zone is called in messages. */
const ownSinkKind = (zone: ZoneConfig): string => (zone.isolate_output ? 'isolated sink' : 'combined sink');

export interface SinkPlan {
  /** mpv audio device for the zone (`pulse/NAME`), or null: the zone keeps its own device / fallback. */
  device: string | null;
  warning: string | null;
}

/**
 * The PulseAudio sinks this installation creates: one module-combine-sink per combined-audio zone and one
 * bridged null sink per zone with isolate_output (isolated-sinks.ts), each tagged
 * `mpvisor.owner=<installation id>` in its sink_properties and recorded in the ledger. Only
 * sinks with that tag are ever unloaded. Without a reachable server nothing is loaded and the zones
 * fall back like any other zone (the worker warns and plays to the null output).
 */
export class CombinedSinks {
  private readonly pactl: Pactl;
  private tag = '';
  private reachable = false;
  private holdWanted = false;

  constructor(private readonly opts: CombinedSinksOptions) {
    this.pactl = new Pactl({ env: opts.env ?? process.env, timeoutMs: 5000 });
  }

  get installationTag(): string {
    return this.tag;
  }

  /** Read (or create) the installation id. No server is asked until refresh(). */
  async init(): Promise<void> {
    this.tag = await installationId(this.opts.stateDir);
  }

  /** Is a server reachable now (asked again: it may have come or gone since start)? */
  async refresh(): Promise<boolean> {
    this.reachable = await this.pactl.reachable();
    return this.reachable;
  }

  /** Unload a module a previous run recorded, only if it still owns a sink carrying our tag. */
  async unloadRecorded(m: PulseModuleEntry): Promise<boolean> {
    if (m.tag !== this.tag || !(this.reachable || (await this.refresh()))) return false;
    const r = await this.pactl.unloadOurSinks(this.tag, { moduleIndex: m.module_index, name: m.sink_name });
    // Nothing of ours left under that module (already gone, or the index now belongs to someone else): done.
    return r.errors.length === 0;
  }

  /**
   * The combine sinks of the combined-audio zones among these, created before their workers start
   * (they play to pulse/<sink>). Without a reachable server each such zone plays like any other.
   */
  async plan(zones: readonly ZoneConfig[]): Promise<Map<string, SinkPlan>> {
    const plans = new Map<string, SinkPlan>();
    const combined = zones.filter(wantsOwnSink);
    // Once wanted, for the rest of the run: a reload plans only the zones it restarts or adds.
    this.holdWanted ||= zones.some(ownsSink);
    if (this.holdWanted && (await this.refresh())) {
      const warning = await this.ensureHold();
      if (warning) for (const z of zones.filter(ownsSink)) plans.set(z.name, { device: null, warning });
    }
    if (combined.length > 0 && (await this.refresh())) {
      for (const zone of combined) plans.set(zone.name, await this.create(zone));
    } else {
      for (const zone of combined)
        plans.set(zone.name, {
          device: null,
          warning: `no PulseAudio server reachable: no ${ownSinkKind(zone)} for zone ${zone.name}; it plays like any other zone`,
        });
    }
    return plans;
  }

  /**
   * Create the combine sink of a combined-audio zone (replacing a tagged leftover of the same name).
   * `listed`: the server's sinks just listed by the caller; when no sink of that name is among them
   * there is nothing to replace, and two pactl round trips are saved (an audio server's return).
   */
  async create(zone: ZoneConfig, listed?: readonly PulseSink[]): Promise<SinkPlan> {
    if (!wantsOwnSink(zone)) return { device: null, warning: null };
    if (!this.reachable) {
      return {
        device: null,
        warning: `no PulseAudio server reachable: ${ownSinkKind(zone)} for zone ${zone.name} not created`,
      };
    }
    if (zone.isolate_output) return this.createIsolated(zone, listed);
    const slaves = zone.combined_sinks.map(sinkNameOf).filter((s) => s !== null);
    if (slaves.length !== zone.combined_sinks.length) {
      return {
        device: null,
        warning: `combined_sinks of zone ${zone.name} must all be PulseAudio sinks (pulse/NAME): ${zone.combined_sinks.join(', ')}`,
      };
    }
    const name = combinedSinkName(zone.name);
    try {
      const fresh = listed !== undefined && !listed.some((k) => k.name === name);
      if (!fresh) await this.unload([zone.name]);
      const sinks = fresh ? listed : await this.pactl.listSinks();
      const missing = slaves.filter((s) => !sinks.some((k) => k.name === s));
      if (missing.length > 0)
        return {
          device: null,
          warning: `combined sink for zone ${zone.name} not created: no sink named ${missing.join(', ')}`,
        };
      if (sinks.some((k) => k.name === name))
        return {
          device: null,
          warning: `a sink named ${name} exists and is not ours; combined sink for zone ${zone.name} not created`,
        };
      const module_index = await this.pactl.loadCombineSink({
        name,
        slaves,
        tag: this.tag,
        zone: zone.name,
      });
      this.opts.ledger()?.recordPulseModule({ module_index, sink_name: name, tag: this.tag });
      this.opts.log.info('combined sink created', {
        zone: zone.name,
        sink: name,
        module_index,
        slaves: slaves.join(','),
      });
      return { device: `pulse/${name}`, warning: null };
    } catch (err) {
      return { device: null, warning: `combined sink for zone ${zone.name} not created: ${errorMessage(err)}` };
    }
  }

  private async createIsolated(zone: ZoneConfig, listed?: readonly PulseSink[]): Promise<SinkPlan> {
    const name = combinedSinkName(zone.name);
    try {
      const fresh = listed !== undefined && !listed.some((k) => k.name === name);
      if (!fresh) await this.unload([zone.name]);
      const sinks = fresh ? listed : await this.pactl.listSinks();
      return await createIsolatedSink(this.pactl, zone, this.tag, this.opts.ledger(), this.opts.log, sinks);
    } catch (err) {
      return { device: null, warning: `isolated sink for zone ${zone.name} not created: ${errorMessage(err)}` };
    }
  }

  /** An isolated zone's device is back: bridge the zone's sink to it again. A warning when that failed. */
  bridge(zone: ZoneConfig): Promise<string | null> {
    return bridgeIsolatedSink(this.pactl, zone, this.tag, this.opts.log);
  }

  /** The holding sink, when a zone owns a sink and the server is there; a warning when it cannot be had. */
  async ensureHold(listed?: readonly PulseSink[]): Promise<string | null> {
    if (!this.holdWanted || !this.reachable) return null;
    return ensureHoldSink(this.pactl, this.tag, this.opts.ledger(), this.opts.log, listed).catch(
      (err: Error) => `no holding sink: ${err.message}`,
    );
  }

  /**
   * The audio server went away and took every module we loaded with it: the ledger forgets them (a
   * module index means nothing to the next server), so it never names a module of someone else.
   */
  serverGone(): void {
    this.reachable = false;
    const ledger = this.opts.ledger();
    for (const m of ledger?.pulseModules.filter((x) => x.tag === this.tag) ?? []) {
      ledger?.forgetPulseModule(m.module_index);
      this.opts.log.info('audio server gone: forgot our module', { sink: m.sink_name, module_index: m.module_index });
    }
  }

  /** Unload our sinks (of the given zones, or all); streams are moved first. Never touches an untagged sink. */
  async unload(zones?: readonly string[]): Promise<UnloadReport> {
    if (!this.reachable || this.tag === '') return { unloaded: [], errors: [] };
    const report = await this.pactl.unloadOurSinks(this.tag, zones === undefined ? {} : { zones });
    const ledger = this.opts.ledger();
    for (const u of report.unloaded) {
      ledger?.forgetPulseModule(u.module_index);
      this.opts.log.info('combined sink unloaded', {
        zone: u.zone ?? undefined,
        sink: u.name,
        module_index: u.module_index,
        streams_moved: u.moved,
      });
    }
    for (const e of report.errors) this.opts.log.warn(`pulse: ${e}`);
    return report;
  }

  /**
   * The sinks the server has now, or null when it does not answer; either way the server counts as
   * reachable or not from here on (one pactl call where refresh() and a listing would take two).
   */
  async present(): Promise<PulseSink[] | null> {
    // A plain connect first, as in refresh(): pactl must never autospawn a server that is gone.
    const socket = pulseSocketPath(this.opts.env ?? process.env);
    const sinks =
      socket === null || (await canConnect(socket, 1000)) ? await this.pactl.listSinks().catch(() => null) : null;
    this.reachable = sinks !== null;
    return sinks;
  }

  /** For health_check / diagnostics. */
  async status(): Promise<{
    reachable: boolean;
    ours: Array<{ name: string; zone: string | null; module_index: number | null; state: string }>;
  }> {
    if (!this.reachable || this.tag === '') return { reachable: this.reachable, ours: [] };
    const sinks = await this.pactl.listSinks().catch(() => []);
    return {
      reachable: true,
      ours: ourSinks(sinks, this.tag).map((s) => ({
        name: s.name,
        zone: s.properties['mpvisor.zone'] ?? null,
        module_index: s.owner_module,
        state: s.state,
      })),
    };
  }
}
