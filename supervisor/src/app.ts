import type { MpvisorConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import { systemTopics, type CommandOutcome } from '@mpvisor/protocol';
import { ownsSink } from './audio/holding-sink.js';
import { systemClock, type Clock } from './clock.js';
import type { CommandSource } from './commands/dispatcher.js';
import type { SupervisorContext } from './context.js';
import { startHeartbeat, startMetricsTopic } from './heartbeat.js';
import { CommandIntake } from './mqtt/command-intake.js';
import { ownTopics } from './mqtt/own-topics.js';
import { ReplyTopics } from './mqtt/reply-topics.js';
import type { RuntimePaths } from './paths.js';
import { collectMedia, stopWorkers, waitForSpeech, type StopReport } from './service/shutdown-steps.js';
import { buildFoundation, type Foundation } from './stages/foundation.js';
import { buildMessaging, type Messaging } from './stages/messaging.js';
import { buildZones, type ZonesStage } from './stages/zones.js';
import { resumeOf } from './state-store.js';
import { ZoneRegistry } from './zone-registry.js';
import { errorMessage } from '@mpvisor/sys';

export interface SupervisorOptions {
  config: MpvisorConfig;
  paths: RuntimePaths;
  log: Logger;
  clock?: Clock;
  mpvEnv?: Record<string, string>;
  /** Told about every zone state change (the entry file turns it into systemd STATUS= lines). */
  onZonesChanged?: (states: string[]) => void;
}

/** The running supervisor: the stages, each fully built, and what the last one started. */
interface Running {
  foundation: Foundation;
  messaging: Messaging;
  zones: ZonesStage;
  intake: CommandIntake;
  stopHeartbeat: (() => void) | null;
  stopMetrics: () => void;
}

/** How far start() came: a stop after a failed start undoes what was built. */
type Built = Partial<Pick<Running, 'foundation' | 'messaging' | 'zones'>> & { running?: Running };

/**
 * Builds the supervisor in stages, each from the ones before and handed over complete: the context
 * (config, paths), the foundation (sockets, saved zones, ownership ledger), messaging (broker link,
 * routes, outbound), the zones (runners, resets, dispatcher), then the last stage connects MQTT, serves
 * the control socket and starts the zones. A stop waits for start() to end, then stops in order.
 */
export class Supervisor {
  private readonly ctx: SupervisorContext;
  private built: Built = {};
  private starting: Promise<void> | null = null;
  private stopping: Promise<StopReport> | null = null;
  private readonly skipWaiting = new AbortController();
  private onStopRequest: (reason: string) => void = () => {};

  constructor(private readonly opts: SupervisorOptions) {
    const { config, paths, log, mpvEnv } = opts;
    this.ctx = {
      config,
      paths,
      log,
      mpvEnv,
      clock: opts.clock ?? systemClock,
      startedAt: Date.now(),
      zones: new ZoneRegistry(),
      zoneConfigs: new Map(),
    };
  }

  /** Called by the entry file so a `stop` command ends the process the same way SIGTERM does. */
  setStopRequestHandler(fn: (reason: string) => void): void {
    this.onStopRequest = fn;
  }

  start(): Promise<void> {
    this.starting ??= this.startStages();
    return this.starting;
  }

  private async startStages(): Promise<void> {
    const ctx = this.ctx;
    const { config, paths, log, zones, zoneConfigs } = ctx;
    const foundation = await buildFoundation(ctx);
    this.built.foundation = foundation;
    // Messages flow once the link starts below, after the intake exists.
    const onMessage: Parameters<typeof buildMessaging>[1] = (topic, payload, packet) =>
      intake.receive(topic, payload, packet);
    const messaging = await buildMessaging(ctx, onMessage);
    this.built.messaging = messaging;
    const stage = await buildZones(ctx, foundation, messaging, {
      zoneChanged: (z) => this.onZoneChanged(z),
      systemChanged: () => this.updateSystemState(),
      requestStop: (reason) => this.onStopRequest(reason),
      onMessage,
    });
    this.built.zones = stage;

    const { mqtt, routes, outbound } = messaging;
    const { state, dispatcher } = stage;
    stage.sinkKeeper.start();
    const sys = systemTopics(config.system.topic);
    const intervalMs = Math.max(1000, config.global.heartbeat_interval_ms);
    const route = (topic: string): CommandSource | undefined => {
      if (topic === sys.command || topic === sys.commands) return { kind: 'system' };
      const zone = routes.zoneFor(topic);
      return zone === undefined ? undefined : { kind: 'zone', zone };
    };
    // Own topics are read per check: a reload can add or remove zones.
    const replies = new ReplyTopics(config.mqtt.reply_prefix, () => ownTopics(config, [...zoneConfigs.values()]));
    const intake = new CommandIntake({
      route,
      dispatcher,
      outbound,
      replies,
      log: log.child({ component: 'commands' }),
    });
    foundation.control.serve({
      status: () => stage.reports.status(),
      command: async (target, payload, origin, progress) => {
        if (target.kind === 'zone' && !zones.get(target.zone))
          return dispatcher.dispatch({ kind: 'zone', zone: target.zone }, payload, origin);
        const outcome = await dispatcher.dispatch(target, payload, origin, { progress });
        outbound.publishOutcome(outcome);
        return outcome;
      },
    });
    mqtt.subscribe([sys.command, sys.commands]);
    routes.update(zoneConfigs.values());
    state.publishSystem();
    mqtt.start();
    state.start(intervalMs);
    const stopHeartbeat = config.global.heartbeat_enabled ? startHeartbeat(mqtt, config, zones, ctx.startedAt) : null;
    const stopMetrics = startMetricsTopic(mqtt, sys.metrics, () => stage.reports.metrics(), intervalMs);
    this.built.running = { foundation, messaging, zones: stage, intake, stopHeartbeat, stopMetrics };
    // A stop asked while starting waits for this stage; it would only stop the workers it finds started.
    if (this.stopping) return;
    for (const runner of zones.all()) runner.start();
    stage.resources.start();
    void Promise.all(zones.all().map((r) => r.settled())).then(() => this.updateSystemState());
    log.info('supervisor started', { zones: zones.names().join(','), run_dir: paths.runDir, pid: process.pid });
  }

  private onZoneChanged(zone: string): void {
    const { foundation, zones: stage } = this.built;
    if (!foundation || !stage) return;
    const { zones } = this.ctx;
    stage.state.zoneChanged(zone);
    this.updateSystemState();
    // Spares boot once the zones have started and one is ready (where no zone can start, no spare can).
    const states = zones.all().map((r) => r.state);
    if (foundation.spares && !this.stopping && states.includes('ready') && !states.includes('starting'))
      foundation.spares.start();
    const runner = zones.get(zone);
    if (runner && runner.state !== 'starting') foundation.bootstraps.replayed(zone);
    if (runner?.state === 'ready') stage.pause.zoneReady(runner);
    foundation.store.changed();
    this.opts.onZonesChanged?.(zones.all().map((r) => r.state));
  }

  /** Resolves once every zone is ready, failed or stopped (for READY=1). */
  async settled(): Promise<void> {
    await Promise.all(this.ctx.zones.all().map((r) => r.settled()));
  }

  /** Second signal: stop waiting for speech and workers; SIGKILL every worker group now. */
  abort(): void {
    this.skipWaiting.abort();
    this.built.foundation?.spares?.kill();
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
    const stage = this.built.zones;
    if (this.stopping || !stage || stage.resets.busy) return;
    const states = this.ctx.zones.all().map((r) => r.state);
    if (states.some((s) => s === 'starting')) return;
    if (stage.pause.active) stage.state.setSystemState('paused');
    else stage.state.setSystemState(states.every((s) => s === 'ready') ? 'running' : 'degraded');
  }

  /** Each zone's lifecycle state, in start order. */
  zoneStates(): string[] {
    return this.ctx.zones.all().map((r) => r.state);
  }

  /** SIGHUP (systemd's ExecReload): a `reload_config` of the file we run from, audited like any command. */
  async reloadFromSignal(): Promise<CommandOutcome | null> {
    const running = this.built.running;
    if (!running || this.stopping) return null;
    const outcome = await running.zones.dispatcher.dispatch(
      { kind: 'system' },
      JSON.stringify({ command: 'reload_config' }),
      'signal:SIGHUP',
    );
    running.messaging.outbound.publishOutcome(outcome);
    return outcome;
  }

  /** Ordered shutdown: refuse commands, stop zones in reverse start order, offline, disconnect. */
  stop(reason: string): Promise<StopReport> {
    this.stopping ??= this.stopStages(reason);
    return this.stopping;
  }

  private async stopStages(reason: string): Promise<StopReport> {
    const { log, config, zones } = this.ctx;
    const started = Date.now();
    const problems: string[] = [];
    log.info('supervisor stopping', { reason });
    // start() is bounded (sockets, ledger cleanup, pactl, a local broker): what it built is stopped whole.
    await this.starting?.catch(() => {});
    const { foundation, messaging, zones: stage, running } = this.built;
    stage?.dispatcher.refuseNewCommands();
    foundation?.spares?.freeze();
    stage?.state.setSystemState('stopping');
    const runners = zones.all();
    // Speech in progress may finish (bounded by the longest stop_timeout_ms; a second signal skips it).
    const drainMs = Math.max(0, ...runners.map((r) => r.policy.stop_timeout_ms));
    const busy = await waitForSpeech(runners, drainMs, this.skipWaiting.signal);
    if (busy.length > 0) log.warn('speech cut short by shutdown', { zones: busy.join(',') });
    if (foundation && !this.skipWaiting.signal.aborted) {
      for (const [zone, media] of await collectMedia(runners, 500))
        foundation.bootstraps.stoppedWith(zone, resumeOf(media));
    }
    await foundation?.store.flush('shutdown');
    foundation?.store.close();
    stage?.resources.stop();
    problems.push(...(await stopWorkers(runners, foundation?.spares ?? null, reason)));
    // Before our sinks go: the keeper would load them again.
    await stage?.sinkKeeper.stop();
    // Our combine sinks go once nothing of ours plays to them; a sink without our tag is never touched.
    if (
      foundation &&
      (foundation.ownership.ledger.pulseModules.length || config.zones.some((z) => z.enabled && ownsSink(z)))
    ) {
      try {
        if (await foundation.sinks.refresh()) await foundation.sinks.unload();
      } catch (err) {
        problems.push(`pulse: ${errorMessage(err)}`);
      }
    }
    stage?.state.publishAll();
    running?.stopHeartbeat?.();
    running?.stopMetrics();
    stage?.state.stop();
    await messaging?.mqtt.stop();
    await messaging?.brokers.close();
    await foundation?.workers.close();
    await foundation?.control.close();
    await foundation?.ownership.stop();
    if (this.skipWaiting.signal.aborted) problems.push('shutdown hurried by a second signal');
    const report: StopReport = { clean: problems.length === 0, problems, duration_ms: Date.now() - started };
    if (report.clean) log.info('supervisor stopped', { duration_ms: report.duration_ms });
    else
      log.warn('supervisor stopped, not cleanly', { duration_ms: report.duration_ms, problems: problems.join('; ') });
    return report;
  }
}
