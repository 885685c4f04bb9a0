import type { MpvisorConfig, ZoneConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import {
  availabilityTopic,
  CommandTable,
  SYSTEM_COMMANDS,
  systemTopics,
  ZONE_COMMANDS,
  zoneTopics,
  type CommandOutcome,
  type MediaEvent,
  type WorkerResume,
} from '@mpvisor/protocol';
import type { IPublishPacket } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { systemClock, type Clock } from './clock.js';
import { Dispatcher, type CommandSource } from './commands/dispatcher.js';
import { systemHandlers } from './commands/system-handlers.js';
import { Ownership } from './commands/cleanup-handlers.js';
import { makeZoneHandler } from './commands/zone-routing.js';
import { ControlServer } from './control/control-server.js';
import { MqttLink } from './mqtt/mqtt-link.js';
import { prepareDirs, type RuntimePaths } from './paths.js';
import { StatePublisher } from './state-publisher.js';
import { WorkerServer } from './worker-server.js';
import { ZoneRegistry } from './zone-registry.js';
import { ZoneRunner } from './zones/zone-runner.js';
import { ResourceWatch } from './zones/resource-watch.js';
import { commonEffectsPool, SPARE_LEDGER_ZONE, SparePool } from './zones/spare-pool.js';
import { supervisionHandlers } from './zones/supervision-commands.js';
import { collectMedia, waitForSpeech, type StopReport } from './service/shutdown-steps.js';
import { resumeOf, ZoneStateStore } from './state-store.js';
import type { WorkerBootstrap } from './zones/bootstrap.js';
import { startHeartbeat, startMetricsTopic } from './heartbeat.js';
import { CombinedSinks, wantsCombinedSink, type SinkPlan } from './audio/combined-sinks.js';
import { ResetCoordinator } from './reset/coordinator.js';
import { RESET_COMMANDS, resetHandlers, resetTimeoutMs, zoneResetHandler } from './reset/handlers.js';

export interface SupervisorOptions {
  config: MpvisorConfig;
  paths: RuntimePaths;
  log: Logger;
  clock?: Clock;
  mpvEnv?: Record<string, string>;
  /** Told about every zone state change (the entry file turns it into systemd STATUS= lines). */
  onZonesChanged?: (states: string[]) => void;
}

const COMMAND_TIMEOUT_MS = 15_000;
const WORKER_TIMEOUT_MS = 10_000;
const READ_ONLY = new Set(['status', 'health_check', 'diagnostics', 'metrics', 'help', 'getState', 'getConfig', 'speechQueue', 'videoQueue']);

/**
 * Wires the parts together and owns their order: control socket first (it also guarantees one
 * supervisor per run directory), then the worker socket, the broker link, and the zones in parallel.
 */
export class Supervisor {
  private readonly zones = new ZoneRegistry();
  private readonly zoneConfigs = new Map<string, ZoneConfig>();
  private readonly topicToZone = new Map<string, string>();
  private readonly clock: Clock;
  private readonly startedAt = Date.now();
  private control!: ControlServer;
  private workers!: WorkerServer;
  private broker: EmbeddedBroker | null = null;
  private mqtt!: MqttLink;
  private state!: StatePublisher;
  private dispatcher!: Dispatcher;
  private stopHeartbeat: (() => void) | null = null;
  private resources: ResourceWatch | null = null;
  private stopMetrics: (() => void) | null = null;
  private stopping: Promise<StopReport> | null = null;
  private ownership: Ownership | null = null;
  private sinks: CombinedSinks | null = null;
  private resets: ResetCoordinator | null = null;
  private spares: SparePool | null = null;
  private store: ZoneStateStore | null = null;
  private savedZones: Record<string, WorkerResume> = {};
  private readonly bootstraps = new Map<string, WorkerBootstrap>();
  private readonly mediaAtStop = new Map<string, WorkerResume>();
  private readonly skipWaiting = new AbortController();
  private onStopRequest: (reason: string) => void = () => {};

  constructor(private readonly opts: SupervisorOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Called by the entry file so a `stop` command ends the process the same way SIGTERM does. */
  setStopRequestHandler(fn: (reason: string) => void): void {
    this.onStopRequest = fn;
  }

  async start(): Promise<void> {
    const { config, paths, log } = this.opts;
    await prepareDirs(paths);
    this.store = new ZoneStateStore(paths.stateDir, () => this.resumeSnapshot(), log.child({ component: 'state' }));
    this.savedZones = await this.store.load();
    this.control = new ControlServer(paths.controlSocket, { status: () => this.status(), command: (t, p, o, progress) => this.commandFromControl(t, p, o, progress) }, log.child({ component: 'control' }));
    await this.control.listen();
    this.spares = this.makeSparePool();
    this.workers = new WorkerServer(paths.workerSocket, this.zones, log.child({ component: 'workers' }), this.spares);
    await this.workers.listen();
    // Before any zone starts: clean what a previous (killed) run left, from the ledger alone.
    const sinks = new CombinedSinks({ stateDir: paths.stateDir, log: log.child({ component: 'pulse' }), ledger: () => this.ownership?.ledger ?? null });
    this.sinks = sinks;
    await sinks.init();
    this.ownership = new Ownership({ stateDir: paths.stateDir, runDir: paths.runDir, log: log.child({ component: 'ledger' }), unloadPulseModule: (m) => sinks.unloadRecorded(m) });
    await this.ownership.start([paths.controlSocket, paths.workerSocket]);

    const mqttCfg = config.mqtt;
    let url = mqttCfg.url;
    if (mqttCfg.embedded) {
      this.broker = await startEmbeddedBroker(mqttCfg.broker === 'embedded' ? '127.0.0.1' : mqttCfg.broker, mqttCfg.port, log.child({ component: 'broker' }));
      url = `mqtt://127.0.0.1:${this.broker.port}`;
    }
    const sys = systemTopics(config.system.topic);
    this.mqtt = new MqttLink({
      url,
      protocolVersion: mqttCfg.embedded ? 4 : mqttCfg.protocol_version,
      clientId: mqttCfg.client_id,
      username: mqttCfg.username,
      password: mqttCfg.password,
      keepaliveS: mqttCfg.keepalive_s,
      tls: mqttCfg.tls,
      availabilityTopic: availabilityTopic(mqttCfg.base_topic, mqttCfg.device_name),
      log: log.child({ component: 'mqtt' }),
      onMessage: (topic, payload, packet) => void this.onMqttMessage(topic, payload, packet),
    });

    const enabled = config.zones.filter((z) => z.enabled);
    // Combined-audio zones get their combine sink before their worker starts (it plays to pulse/<sink>).
    const sinkPlans = new Map<string, SinkPlan>();
    if (enabled.some(wantsCombinedSink) && (await sinks.refresh())) {
      for (const zone of enabled.filter(wantsCombinedSink)) sinkPlans.set(zone.name, await sinks.create(zone));
    } else {
      for (const zone of enabled.filter(wantsCombinedSink)) sinkPlans.set(zone.name, { device: null, warning: `no PulseAudio server reachable: no combined sink for zone ${zone.name}; it plays like any other zone` });
    }
    for (const zone of enabled) {
      this.zoneConfigs.set(zone.name, zone);
      this.topicToZone.set(zoneTopics(zone.topic).commands, zone.name);
      this.zones.add(
        new ZoneRunner({
          zone,
          clock: this.clock,
          log: log.child({ zone: zone.name }),
          bootstrap: this.keepBootstrap({
            zone: withDevice(zone, sinkPlans.get(zone.name)?.device ?? null),
            socketPath: paths.workerSocket,
            mpvPath: config.global.mpv_path,
            runDir: paths.runDir,
            stateDir: paths.stateDir,
            logLevel: config.global.log_level,
            heartbeatIntervalMs: Math.min(1000, Math.floor(zone.restart.heartbeat_timeout_ms / 3)),
            audioFallback: config.global.audio_fallback,
            ...(this.opts.mpvEnv ? { mpvEnv: this.opts.mpvEnv } : {}),
          }),
          autoResetThreshold: config.system.auto_reset_enabled ? config.system.auto_reset_threshold : null,
          ...(this.spares ? { spares: this.spares } : {}),
          hooks: {
            stateChanged: (z) => this.onZoneChanged(z),
            lifecycle: (z, event, detail) => this.publishLifecycle(z, event, detail),
            mediaEvent: (z, event) => this.publishMediaEvent(z, event),
            warning: (z, message) => this.publishWarning(z, message),
            process: (z, report) => this.ownership?.onProcess(z, report),
          },
        }),
      );
    }
    this.state = new StatePublisher(this.mqtt, this.zones, (z) => this.zoneConfigs.get(z)!.topic, config.system.topic, () => this.systemFacts());
    for (const [zone, plan] of sinkPlans) if (plan.warning) this.publishWarning(zone, plan.warning);
    this.resets = new ResetCoordinator({
      zones: this.zones,
      ownership: () => this.ownership,
      sinks: () => this.sinks,
      zoneConfig: (z) => this.zoneConfigs.get(z),
      setAudioDevice: (z, device) => {
        const boot = this.bootstraps.get(z);
        const cfg = this.zoneConfigs.get(z);
        if (boot && cfg) boot.zone = withDevice(cfg, device);
      },
      publish: (status) => this.mqtt.publishEvent(sys.events, JSON.stringify(status)),
      lifecycle: (z, event, detail) => this.publishLifecycle(z, event, detail),
      resetting: (on) => (on ? this.state.setSystemState('resetting') : this.updateSystemState()),
      log: log.child({ component: 'reset' }),
    });
    const resetDeps = { coordinator: this.resets, defaultTimeoutMs: config.system.reset_timeout_ms };
    this.dispatcher = new Dispatcher({
      zoneTable: new CommandTable(ZONE_COMMANDS),
      systemTable: new CommandTable(SYSTEM_COMMANDS),
      zoneHandler: makeZoneHandler({
        zones: this.zones,
        configOf: (z) => this.zoneConfigs.get(z),
        supervisorHandlers: new Map([
          ['status', (z: string) => async () => ({ outcome: 'success' as const, message: 'status', result: this.zones.get(z)!.snapshot() })],
          ...supervisionHandlers(this.zones),
          ['reset', zoneResetHandler(resetDeps)],
        ]),
        workerTimeoutMs: WORKER_TIMEOUT_MS,
      }),
      systemHandlers: new Map([...systemHandlers({
        status: () => this.status(),
        metrics: () => this.metrics(),
        health: () => this.health(),
        requestStop: (reason) => this.onStopRequest(reason),
        allowHostCommands: config.system.allow_host_commands,
      }), ...(this.ownership?.handlers() ?? []), ...resetHandlers(resetDeps)]),
      log: log.child({ component: 'commands' }),
      timeoutMs: COMMAND_TIMEOUT_MS,
      allowedWhileStopping: READ_ONLY,
      zoneExists: (z) => this.zoneConfigs.has(z),
      // A reset carries its own bound (timeout / reset_timeout); the outcome comes after the reset's own failure.
      timeoutFor: (name, args) => (RESET_COMMANDS.has(name) ? resetTimeoutMs(args, config.system.reset_timeout_ms) + 10_000 : undefined),
    });

    this.mqtt.subscribe([sys.command, sys.commands, ...this.topicToZone.keys()]);
    this.state.publishSystem();
    this.mqtt.start();
    this.state.start(Math.max(1000, config.global.heartbeat_interval_ms));
    if (config.global.heartbeat_enabled) {
      this.stopHeartbeat = startHeartbeat(this.mqtt, config, this.zones, this.startedAt);
    }
    this.stopMetrics = startMetricsTopic(this.mqtt, sys.metrics, () => this.metrics(), Math.max(1000, config.global.heartbeat_interval_ms));
    for (const runner of this.zones.all()) runner.start();
    this.resources = new ResourceWatch({ zones: () => this.zones.all(), intervalMs: Math.max(250, Math.min(...enabled.map((z) => z.restart.health_interval_ms), 1000)), log: log.child({ component: 'resources' }) });
    this.resources.start();
    void Promise.all(this.zones.all().map((r) => r.settled())).then(() => this.updateSystemState());
    log.info('supervisor started', { zones: this.zones.names().join(','), run_dir: paths.runDir, pid: process.pid });
  }

  /** warm_spares workers with idle mpv, handed to a crashed zone (null when warm_spares = 0). */
  private makeSparePool(): SparePool | null {
    const { config, paths, log } = this.opts;
    const enabled = config.zones.filter((z) => z.enabled);
    if (config.system.warm_spares <= 0 || enabled.length === 0) return null;
    return new SparePool({
      count: config.system.warm_spares,
      bootstrap: {
        zone: null,
        spare: { effects: commonEffectsPool(enabled) },
        socketPath: paths.workerSocket,
        mpvPath: config.global.mpv_path,
        runDir: paths.runDir,
        stateDir: paths.stateDir,
        logLevel: config.global.log_level,
        heartbeatIntervalMs: 1000,
        audioFallback: config.global.audio_fallback,
        ...(this.opts.mpvEnv ? { mpvEnv: this.opts.mpvEnv } : {}),
      },
      clock: this.clock,
      log: log.child({ component: 'spares' }),
      startupTimeoutMs: Math.max(...enabled.map((z) => z.restart.startup_timeout_ms)),
      stopTimeoutMs: config.system.restart.stop_timeout_ms,
      process: (report) => this.ownership?.onProcess(SPARE_LEDGER_ZONE, report),
    });
  }

  private onZoneChanged(zone: string): void {
    this.state.zoneChanged(zone);
    this.updateSystemState();
    // Spares boot once the zones have started and one is ready (where no zone can start, no spare can).
    const states = this.zones.all().map((r) => r.state);
    if (this.spares && !this.stopping && states.includes('ready') && !states.includes('starting')) this.spares.start();
    const runner = this.zones.get(zone);
    // The saved state is replayed by the first worker only; a later restart starts from scratch.
    if (runner && runner.state !== 'starting') delete this.bootstraps.get(zone)?.resume;
    this.store?.changed();
    this.opts.onZonesChanged?.(this.zones.all().map((r) => r.state));
  }

  /** Remembers each zone's bootstrap and adds what that zone played when the last supervisor stopped. */
  private keepBootstrap(boot: WorkerBootstrap): WorkerBootstrap {
    const saved = this.savedZones[boot.zone.name];
    const resume = saved && (saved.background || saved.volume !== undefined) ? { resume: saved } : {};
    const full = { ...boot, ...resume };
    this.bootstraps.set(boot.zone.name, full);
    return full;
  }

  /** What zones.json should hold now: live media where known, else what was saved and not replayed yet. */
  private resumeSnapshot(): Record<string, WorkerResume> {
    const out: Record<string, WorkerResume> = {};
    for (const r of this.zones.all()) {
      const snap = r.snapshot();
      out[r.name] = this.mediaAtStop.get(r.name) ?? (snap.background ? resumeOf(snap) : (this.savedZones[r.name] ?? {}));
    }
    return out;
  }

  /** Resolves once every zone is ready, failed or stopped (for READY=1). */
  async settled(): Promise<void> {
    await Promise.all(this.zones.all().map((r) => r.settled()));
  }

  /** Second signal: stop waiting for speech and workers; SIGKILL every worker group now. */
  abort(): void {
    this.skipWaiting.abort();
    this.spares?.kill();
    for (const r of this.zones.all()) {
      if (r.pid === null) continue;
      try {
        process.kill(-r.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private updateSystemState(): void {
    if (this.stopping || !this.state || this.resets?.busy) return;
    const states = this.zones.all().map((r) => r.state);
    if (states.some((s) => s === 'starting')) return;
    this.state.setSystemState(states.every((s) => s === 'ready') ? 'running' : 'degraded');
  }

  private async onMqttMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const sys = systemTopics(this.opts.config.system.topic);
    let source: CommandSource;
    if (topic === sys.command || topic === sys.commands) source = { kind: 'system' };
    else {
      const zone = this.topicToZone.get(topic);
      if (!zone) return;
      source = { kind: 'zone', zone };
    }
    const outcome = await this.dispatcher.dispatch(source, payload, `mqtt:${topic}`);
    this.publishOutcome(outcome, packet.properties?.responseTopic, packet.properties?.correlationData);
  }

  private async commandFromControl(target: CommandSource, payload: string, origin: string, progress?: (data: unknown) => void): Promise<CommandOutcome> {
    if (target.kind === 'zone' && !this.zones.get(target.zone)) {
      return this.dispatcher.dispatch({ kind: 'zone', zone: target.zone }, payload, origin);
    }
    const outcome = await this.dispatcher.dispatch(target, payload, origin, progress ? { progress } : {});
    this.publishOutcome(outcome);
    return outcome;
  }

  private eventsTopic(zone: string | null): string {
    return zone === null ? systemTopics(this.opts.config.system.topic).events : zoneTopics(this.zoneConfigs.get(zone)?.topic ?? '').events;
  }

  private publishOutcome(outcome: CommandOutcome, responseTopic?: string, correlationData?: Buffer): void {
    const zone = outcome.zone !== null && this.zoneConfigs.has(outcome.zone) ? outcome.zone : null;
    const payload = JSON.stringify(outcome);
    this.mqtt.publishEvent(this.eventsTopic(zone), payload);
    if (responseTopic) this.mqtt.publishEvent(responseTopic, payload, correlationData ? { correlationData } : undefined);
  }

  private publishLifecycle(zone: string, event: string, detail: Record<string, unknown>): void {
    const payload = JSON.stringify({ timestamp: new Date().toISOString(), type: 'zone_lifecycle', zone, event, ...detail });
    this.mqtt.publishEvent(this.eventsTopic(zone), payload);
    this.mqtt.publishEvent(this.eventsTopic(null), payload);
  }

  private publishMediaEvent(zone: string, event: MediaEvent): void {
    this.mqtt.publishEvent(this.eventsTopic(zone), JSON.stringify({ timestamp: new Date().toISOString(), zone, ...event }));
  }

  private publishWarning(zone: string, message: string): void {
    const payload = JSON.stringify({ timestamp: new Date().toISOString(), type: 'warning', zone, message });
    this.mqtt.publishEvent(zoneTopics(this.zoneConfigs.get(zone)!.topic).warnings, payload);
    this.mqtt.publishEvent(this.eventsTopic(zone), payload);
  }

  private systemFacts(): Record<string, unknown> {
    return { pid: process.pid, uptime_ms: Date.now() - this.startedAt, zones: Object.fromEntries(this.zones.all().map((r) => [r.name, r.state])) };
  }

  status(): unknown {
    return {
      system: { state: this.state?.system ?? 'starting', pid: process.pid, uptime_ms: Date.now() - this.startedAt, run_dir: this.opts.paths.runDir, mqtt: this.mqtt?.metrics() ?? null },
      zones: this.zones.all().map((r) => r.snapshot()),
      spares: this.spares?.snapshot() ?? [],
    };
  }

  metrics(): unknown {
    const mem = process.memoryUsage();
    return { mqtt: this.mqtt.metrics(), commands: this.dispatcher.stats(), supervisor: { rss_mb: Math.round(mem.rss / 1048576), heap_mb: Math.round(mem.heapUsed / 1048576) }, zones: this.resources?.snapshot() ?? {} };
  }

  health(): unknown {
    const zones = this.zones.all().map((r) => ({ zone: r.name, state: r.state, worker_pid: r.pid, mpv_pids: r.mpvPids }));
    return {
      healthy: zones.every((z) => z.state === 'ready'),
      mpv_process_count: zones.reduce((n, z) => n + z.mpv_pids.length, 0),
      zones,
      spares: this.spares?.snapshot().map((s) => ({ pid: s.pid, state: s.state })) ?? [],
      mqtt_connected: this.mqtt.connected,
      memory_mb: Math.round(process.memoryUsage().rss / 1048576),
      ...this.ownership?.health(),
      // Our combine sinks (combined-audio zones), as recorded when loaded.
      pulse_sinks: this.ownership?.ledger.pulseModules.map((m) => ({ sink: m.sink_name, module_index: m.module_index })) ?? [],
      resetting: this.resets?.busy ?? false,
    };
  }

  /** Ordered shutdown: refuse commands, stop zones in reverse start order, offline, disconnect. */
  stop(reason: string): Promise<StopReport> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      const { log } = this.opts;
      const started = Date.now();
      const problems: string[] = [];
      log.info('supervisor stopping', { reason });
      this.dispatcher?.refuseNewCommands();
      this.spares?.freeze();
      this.state?.setSystemState('stopping');
      const runners = this.zones.all();
      // Speech in progress may finish (bounded by the longest stop_timeout_ms; a second signal skips it).
      const drainMs = Math.max(0, ...runners.map((r) => this.zoneConfigs.get(r.name)!.restart.stop_timeout_ms));
      const busy = await waitForSpeech(runners, drainMs, this.skipWaiting.signal);
      if (busy.length > 0) log.warn('speech cut short by shutdown', { zones: busy.join(',') });
      if (!this.skipWaiting.signal.aborted) {
        for (const [zone, media] of await collectMedia(runners, 500)) this.mediaAtStop.set(zone, resumeOf(media));
      }
      await this.store?.flush('shutdown');
      this.store?.close();
      this.resources?.stop();
      // Reverse start order: the spares (started last) first, then the zones.
      try {
        if (this.spares && !(await this.spares.stop(reason))) problems.push('warm spares: a spare had to be killed (SIGKILL after stop_timeout_ms)');
      } catch (err) {
        problems.push(`warm spares: ${(err as Error).message}`);
      }
      for (const runner of [...runners].reverse()) {
        try {
          if (!(await runner.stop(reason))) problems.push(`zone ${runner.name}: worker had to be killed (SIGKILL after stop_timeout_ms)`);
        } catch (err) {
          problems.push(`zone ${runner.name}: ${(err as Error).message}`);
        }
      }
      // Our combine sinks go once nothing of ours plays to them; a sink without our tag is never touched.
      if (this.sinks && (this.ownership?.ledger.pulseModules.length || this.opts.config.zones.some((z) => z.enabled && wantsCombinedSink(z)))) {
        try {
          if (await this.sinks.refresh()) {
            await this.sinks.unload();
          }
        } catch (err) {
          problems.push(`pulse: ${(err as Error).message}`);
        }
      }
      this.state?.publishAll();
      this.stopHeartbeat?.();
      this.stopMetrics?.();
      this.state?.stop();
      await this.mqtt?.stop();
      await this.broker?.close();
      await this.workers?.close();
      await this.control?.close();
      await this.ownership?.stop();
      if (this.skipWaiting.signal.aborted) problems.push('shutdown hurried by a second signal');
      const report: StopReport = { clean: problems.length === 0, problems, duration_ms: Date.now() - started };
      if (report.clean) log.info('supervisor stopped', { duration_ms: report.duration_ms });
      else log.warn('supervisor stopped, not cleanly', { duration_ms: report.duration_ms, problems: problems.join('; ') });
      return report;
    })();
    return this.stopping;
  }
}

/** A zone's configuration as its worker sees it: a combined zone plays to its combine sink when there is one. */
function withDevice(zone: ZoneConfig, device: string | null): ZoneConfig {
  return device ? { ...zone, audio_device: device } : zone;
}
