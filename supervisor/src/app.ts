import type { MpvisorConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import { systemTopics, type CommandOutcome } from '@mpvisor/protocol';
import type { IPublishPacket } from 'mqtt';
import { CombinedSinks } from './audio/combined-sinks.js';
import { ownsSink } from './audio/holding-sink.js';
import { SinkKeeper } from './audio/sink-keeper.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { systemClock, type Clock } from './clock.js';
import { buildDispatcher } from './commands/build-dispatcher.js';
import { Ownership } from './commands/cleanup-handlers.js';
import type { CommandSource } from './commands/dispatcher.js';
import { SystemPause } from './commands/system-pause.js';
import type { SupervisorContext } from './context.js';
import { ControlServer } from './control/control-server.js';
import { startHeartbeat, startMetricsTopic } from './heartbeat.js';
import { CommandIntake } from './mqtt/command-intake.js';
import { embeddedBrokerHost, mqttLinkOptions } from './mqtt/link-options.js';
import { MqttLink } from './mqtt/mqtt-link.js';
import { ownTopics } from './mqtt/own-topics.js';
import { ReplyTopics } from './mqtt/reply-topics.js';
import { TopicRoutes } from './mqtt/topic-routes.js';
import { Outbound } from './outbound.js';
import { prepareDirs, type RuntimePaths } from './paths.js';
import { Reports } from './reports.js';
import { buildConfigReload } from './reload/build-reload.js';
import { buildResetCoordinator } from './reset/build-coordinator.js';
import { collectMedia, stopWorkers, waitForSpeech, type StopReport } from './service/shutdown-steps.js';
import { StatePublisher } from './state-publisher.js';
import { resumeOf, ZoneStateStore } from './state-store.js';
import { WorkerServer } from './worker-server.js';
import { ZoneRegistry } from './zone-registry.js';
import { buildSparePool, buildZoneRunner } from './zones/build-runner.js';
import { ResourceWatch } from './zones/resource-watch.js';
import { ZoneBootstraps } from './zones/zone-bootstraps.js';

export interface SupervisorOptions {
  config: MpvisorConfig;
  paths: RuntimePaths;
  log: Logger;
  clock?: Clock;
  mpvEnv?: Record<string, string>;
  /** Told about every zone state change (the entry file turns it into systemd STATUS= lines). */
  onZonesChanged?: (states: string[]) => void;
}

/**
 * Owns the order of the parts: control socket first (it also guarantees one supervisor per run
 * directory), then the worker socket, the ledger, the broker link, and the zones in parallel; stop
 * in reverse. The parts themselves are built elsewhere from one SupervisorContext.
 */
export class Supervisor {
  private readonly ctx: SupervisorContext;
  private readonly reports: Reports;
  private pause: SystemPause | null = null;
  private bootstraps = new ZoneBootstraps({});
  private control: ControlServer | null = null;
  private workers: WorkerServer | null = null;
  private broker: EmbeddedBroker | null = null;
  private outbound: Outbound | null = null;
  private intake: CommandIntake | null = null;
  private store: ZoneStateStore | null = null;
  private stopHeartbeat: (() => void) | null = null;
  private stopMetrics: (() => void) | null = null;
  private sinkKeeper: SinkKeeper | null = null;
  private stopping: Promise<StopReport> | null = null;
  private readonly skipWaiting = new AbortController();
  private onStopRequest: (reason: string) => void = () => {};

  constructor(private readonly opts: SupervisorOptions) {
    const { config, paths, log, mpvEnv } = opts;
    const parts = {
      mqtt: null,
      state: null,
      dispatcher: null,
      spares: null,
      ownership: null,
      sinks: null,
      resets: null,
      resources: null,
    };
    this.ctx = {
      config,
      paths,
      log,
      mpvEnv,
      clock: opts.clock ?? systemClock,
      startedAt: Date.now(),
      zones: new ZoneRegistry(),
      zoneConfigs: new Map(),
      ...parts,
    };
    this.reports = new Reports(this.ctx);
  }

  /** Called by the entry file so a `stop` command ends the process the same way SIGTERM does. */
  setStopRequestHandler(fn: (reason: string) => void): void {
    this.onStopRequest = fn;
  }

  async start(): Promise<void> {
    const ctx = this.ctx;
    const { config, paths, log, zones } = ctx;
    await prepareDirs(paths);
    this.store = new ZoneStateStore(
      paths.stateDir,
      () => this.bootstraps.snapshot(zones.all()),
      log.child({ component: 'state' }),
    );
    this.bootstraps = new ZoneBootstraps(await this.store.load());
    this.control = new ControlServer(
      paths.controlSocket,
      {
        status: () => this.reports.status(),
        command: (t, p, o, progress) => this.commandFromControl(t, p, o, progress),
      },
      log.child({ component: 'control' }),
    );
    await this.control.listen();
    ctx.spares = buildSparePool(ctx);
    this.workers = new WorkerServer(paths.workerSocket, zones, log.child({ component: 'workers' }), ctx.spares);
    await this.workers.listen();
    // Before any zone starts: clean what a previous (killed) run left, from the ledger alone.
    const sinks = new CombinedSinks({
      stateDir: paths.stateDir,
      log: log.child({ component: 'pulse' }),
      ledger: () => ctx.ownership?.ledger ?? null,
    });
    ctx.sinks = sinks;
    await sinks.init();
    ctx.ownership = new Ownership({
      stateDir: paths.stateDir,
      runDir: paths.runDir,
      log: log.child({ component: 'ledger' }),
      unloadPulseModule: (m) => sinks.unloadRecorded(m),
    });
    await ctx.ownership.start([paths.controlSocket, paths.workerSocket]);

    if (config.mqtt.embedded)
      this.broker = await startEmbeddedBroker(
        embeddedBrokerHost(config.mqtt),
        config.mqtt.port,
        log.child({ component: 'broker' }),
      );
    const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) =>
      this.intake?.receive(topic, payload, packet);
    const mqtt = new MqttLink(
      mqttLinkOptions({ mqtt: config.mqtt, broker: this.broker, log: log.child({ component: 'mqtt' }), onMessage }),
    );
    ctx.mqtt = mqtt;
    const routes = new TopicRoutes(mqtt);
    const outbound = new Outbound({ mqtt, systemTopic: config.system.topic, zoneConfigs: ctx.zoneConfigs });
    this.outbound = outbound;

    const enabled = config.zones.filter((z) => z.enabled);
    const sinkPlans = await sinks.plan(enabled);
    for (const zone of enabled) {
      ctx.zoneConfigs.set(zone.name, zone);
      const device = sinkPlans.get(zone.name)?.device ?? null;
      zones.add(
        buildZoneRunner(ctx, {
          zone,
          device,
          bootstraps: this.bootstraps,
          outbound,
          stateChanged: (z) => this.onZoneChanged(z),
        }),
      );
    }
    const state = new StatePublisher(
      mqtt,
      zones,
      (z) => ctx.zoneConfigs.get(z)!.topic,
      config.system.topic,
      () => this.reports.systemFacts(),
    );
    ctx.state = state;
    for (const [zone, plan] of sinkPlans) if (plan.warning) outbound.publishWarning(zone, plan.warning);
    const resetting = (on: boolean) => (on ? state.setSystemState('resetting') : this.updateSystemState());
    ctx.resets = buildResetCoordinator(ctx, { bootstraps: this.bootstraps, outbound, resetting });
    const pause = new SystemPause({
      zones,
      log: log.child({ component: 'pause' }),
      warning: (z, m) => outbound.publishWarning(z, m),
      changed: () => this.updateSystemState(),
    });
    this.pause = pause;
    const reload = buildConfigReload(ctx, {
      resets: ctx.resets,
      outbound,
      routes,
      pause,
      newRunner: (zone, device) =>
        buildZoneRunner(ctx, {
          zone,
          device,
          bootstraps: this.bootstraps,
          outbound,
          stateChanged: (z) => this.onZoneChanged(z),
        }),
      swapBroker: (next) => this.swapBroker(next),
      onMessage,
    });
    ctx.dispatcher = buildDispatcher(ctx, {
      resets: ctx.resets,
      reports: this.reports,
      requestStop: (reason) => this.onStopRequest(reason),
      pause,
      extraSystemHandlers: new Map([['reload_config', reload.handler()]]),
    });
    if (enabled.some(ownsSink)) {
      const resets = ctx.resets;
      this.sinkKeeper = new SinkKeeper({
        sinks,
        zones: () => [...ctx.zoneConfigs.values()],
        busy: () => resets.busy,
        warn: (z, m) => outbound.publishWarning(z, m),
        log: log.child({ component: 'pulse' }),
      });
      this.sinkKeeper.start();
    }

    const sys = systemTopics(config.system.topic);
    const intervalMs = Math.max(1000, config.global.heartbeat_interval_ms);
    const route = (topic: string): CommandSource | undefined => {
      if (topic === sys.command || topic === sys.commands) return { kind: 'system' };
      const zone = routes.zoneFor(topic);
      return zone === undefined ? undefined : { kind: 'zone', zone };
    };
    // Own topics are read per check: a reload can add or remove zones.
    const replies = new ReplyTopics(config.mqtt.reply_prefix, () => ownTopics(config, [...ctx.zoneConfigs.values()]));
    this.intake = new CommandIntake({
      route,
      dispatcher: ctx.dispatcher,
      outbound,
      replies,
      log: log.child({ component: 'commands' }),
    });
    mqtt.subscribe([sys.command, sys.commands]);
    routes.update(ctx.zoneConfigs.values());
    state.publishSystem();
    mqtt.start();
    state.start(intervalMs);
    if (config.global.heartbeat_enabled) this.stopHeartbeat = startHeartbeat(mqtt, config, zones, ctx.startedAt);
    this.stopMetrics = startMetricsTopic(mqtt, sys.metrics, () => this.reports.metrics(), intervalMs);
    for (const runner of zones.all()) runner.start();
    const sampleMs = Math.max(250, Math.min(...enabled.map((z) => z.restart.health_interval_ms), 1000));
    ctx.resources = new ResourceWatch({
      zones: () => zones.all(),
      intervalMs: sampleMs,
      log: log.child({ component: 'resources' }),
    });
    ctx.resources.start();
    void Promise.all(zones.all().map((r) => r.settled())).then(() => this.updateSystemState());
    log.info('supervisor started', { zones: zones.names().join(','), run_dir: paths.runDir, pid: process.pid });
  }

  private onZoneChanged(zone: string): void {
    const { zones, spares, state } = this.ctx;
    state?.zoneChanged(zone);
    this.updateSystemState();
    // Spares boot once the zones have started and one is ready (where no zone can start, no spare can).
    const states = zones.all().map((r) => r.state);
    if (spares && !this.stopping && states.includes('ready') && !states.includes('starting')) spares.start();
    const runner = zones.get(zone);
    if (runner && runner.state !== 'starting') this.bootstraps.replayed(zone);
    if (runner?.state === 'ready') this.pause?.zoneReady(runner);
    this.store?.changed();
    this.opts.onZonesChanged?.(zones.all().map((r) => r.state));
  }

  /** Resolves once every zone is ready, failed or stopped (for READY=1). */
  async settled(): Promise<void> {
    await Promise.all(this.ctx.zones.all().map((r) => r.settled()));
  }

  /** Second signal: stop waiting for speech and workers; SIGKILL every worker group now. */
  abort(): void {
    this.skipWaiting.abort();
    this.ctx.spares?.kill();
    for (const r of this.ctx.zones.all()) {
      if (r.pid === null) continue;
      try {
        process.kill(-r.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private updateSystemState(): void {
    const { state, resets, zones } = this.ctx;
    if (this.stopping || !state || resets?.busy) return;
    const states = zones.all().map((r) => r.state);
    if (states.some((s) => s === 'starting')) return;
    if (this.pause?.active) state.setSystemState('paused');
    else state.setSystemState(states.every((s) => s === 'ready') ? 'running' : 'degraded');
  }

  private async commandFromControl(
    target: CommandSource,
    payload: string,
    origin: string,
    progress?: (data: unknown) => void,
  ): Promise<CommandOutcome> {
    const dispatcher = this.ctx.dispatcher!;
    if (target.kind === 'zone' && !this.ctx.zones.get(target.zone)) {
      return dispatcher.dispatch({ kind: 'zone', zone: target.zone }, payload, origin);
    }
    const outcome = await dispatcher.dispatch(target, payload, origin, progress ? { progress } : {});
    this.outbound!.publishOutcome(outcome);
    return outcome;
  }

  status(): unknown {
    return this.reports.status();
  }

  /** SIGHUP (systemd's ExecReload): a `reload_config` of the file we run from, audited like any command. */
  async reloadFromSignal(): Promise<CommandOutcome | null> {
    if (!this.ctx.dispatcher || this.stopping) return null;
    const outcome = await this.ctx.dispatcher.dispatch(
      { kind: 'system' },
      JSON.stringify({ command: 'reload_config' }),
      'signal:SIGHUP',
    );
    this.outbound?.publishOutcome(outcome);
    return outcome;
  }

  /**
   * A reloaded [mqtt]: the link leaves the old broker (`offline` first), the embedded broker is kept
   * when the new section wants the same one and replaced otherwise, then the link connects again.
   */
  private async swapBroker(next: MpvisorConfig): Promise<EmbeddedBroker | null> {
    const { log } = this.ctx;
    const was = this.ctx.config.mqtt;
    const same =
      was.embedded &&
      next.mqtt.embedded &&
      embeddedBrokerHost(was) === embeddedBrokerHost(next.mqtt) &&
      was.port === next.mqtt.port;
    if (same) return this.broker;
    await this.broker?.close();
    this.broker = next.mqtt.embedded
      ? await startEmbeddedBroker(embeddedBrokerHost(next.mqtt), next.mqtt.port, log.child({ component: 'broker' }))
      : null;
    return this.broker;
  }

  /** Ordered shutdown: refuse commands, stop zones in reverse start order, offline, disconnect. */
  stop(reason: string): Promise<StopReport> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      // Parts are read as each step comes: a stop may begin while start() is still making them.
      const ctx = this.ctx;
      const { log, config, zones, zoneConfigs } = ctx;
      const started = Date.now();
      const problems: string[] = [];
      log.info('supervisor stopping', { reason });
      ctx.dispatcher?.refuseNewCommands();
      ctx.spares?.freeze();
      ctx.state?.setSystemState('stopping');
      const runners = zones.all();
      // Speech in progress may finish (bounded by the longest stop_timeout_ms; a second signal skips it).
      const drainMs = Math.max(0, ...runners.map((r) => zoneConfigs.get(r.name)!.restart.stop_timeout_ms));
      const busy = await waitForSpeech(runners, drainMs, this.skipWaiting.signal);
      if (busy.length > 0) log.warn('speech cut short by shutdown', { zones: busy.join(',') });
      if (!this.skipWaiting.signal.aborted) {
        for (const [zone, media] of await collectMedia(runners, 500))
          this.bootstraps.stoppedWith(zone, resumeOf(media));
      }
      await this.store?.flush('shutdown');
      this.store?.close();
      ctx.resources?.stop();
      problems.push(...(await stopWorkers(runners, ctx.spares, reason)));
      // Before our sinks go: the keeper would load them again.
      await this.sinkKeeper?.stop();
      // Our combine sinks go once nothing of ours plays to them; a sink without our tag is never touched.
      const sinks = ctx.sinks;
      if (sinks && (ctx.ownership?.ledger.pulseModules.length || config.zones.some((z) => z.enabled && ownsSink(z)))) {
        try {
          if (await sinks.refresh()) await sinks.unload();
        } catch (err) {
          problems.push(`pulse: ${(err as Error).message}`);
        }
      }
      ctx.state?.publishAll();
      this.stopHeartbeat?.();
      this.stopMetrics?.();
      ctx.state?.stop();
      await ctx.mqtt?.stop();
      await this.broker?.close();
      await this.workers?.close();
      await this.control?.close();
      await ctx.ownership?.stop();
      if (this.skipWaiting.signal.aborted) problems.push('shutdown hurried by a second signal');
      const report: StopReport = { clean: problems.length === 0, problems, duration_ms: Date.now() - started };
      if (report.clean) log.info('supervisor stopped', { duration_ms: report.duration_ms });
      else
        log.warn('supervisor stopped, not cleanly', { duration_ms: report.duration_ms, problems: problems.join('; ') });
      return report;
    })();
    return this.stopping;
  }
}
