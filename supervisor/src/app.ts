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
} from '@mpvisor/protocol';
import type { IPublishPacket } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { systemClock, type Clock } from './clock.js';
import { Dispatcher, type CommandSource } from './commands/dispatcher.js';
import { systemHandlers } from './commands/system-handlers.js';
import { makeZoneHandler } from './commands/zone-routing.js';
import { ControlServer } from './control/control-server.js';
import { MqttLink } from './mqtt/mqtt-link.js';
import { prepareDirs, type RuntimePaths } from './paths.js';
import { StatePublisher } from './state-publisher.js';
import { WorkerServer } from './worker-server.js';
import { ZoneRegistry } from './zone-registry.js';
import { ZoneRunner } from './zones/zone-runner.js';
import { startHeartbeat } from './heartbeat.js';

export interface SupervisorOptions {
  config: MpvisorConfig;
  paths: RuntimePaths;
  log: Logger;
  clock?: Clock;
  mpvEnv?: Record<string, string>;
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
  private stopping: Promise<void> | null = null;
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
    this.control = new ControlServer(paths.controlSocket, { status: () => this.status(), command: (t, p, o) => this.commandFromControl(t, p, o) }, log.child({ component: 'control' }));
    await this.control.listen();
    this.workers = new WorkerServer(paths.workerSocket, this.zones, log.child({ component: 'workers' }));
    await this.workers.listen();

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
    for (const zone of enabled) {
      this.zoneConfigs.set(zone.name, zone);
      this.topicToZone.set(zoneTopics(zone.topic).commands, zone.name);
      this.zones.add(
        new ZoneRunner({
          zone,
          clock: this.clock,
          log: log.child({ zone: zone.name }),
          bootstrap: {
            zone,
            socketPath: paths.workerSocket,
            mpvPath: config.global.mpv_path,
            runDir: paths.runDir,
            stateDir: paths.stateDir,
            logLevel: config.global.log_level,
            heartbeatIntervalMs: Math.min(1000, Math.floor(zone.restart.heartbeat_timeout_ms / 3)),
            audioFallback: config.global.audio_fallback,
            ...(this.opts.mpvEnv ? { mpvEnv: this.opts.mpvEnv } : {}),
          },
          hooks: {
            stateChanged: (z) => this.onZoneChanged(z),
            lifecycle: (z, event, detail) => this.publishLifecycle(z, event, detail),
            mediaEvent: (z, event) => this.publishMediaEvent(z, event),
            warning: (z, message) => this.publishWarning(z, message),
          },
        }),
      );
    }
    this.state = new StatePublisher(this.mqtt, this.zones, (z) => this.zoneConfigs.get(z)!.topic, config.system.topic, () => this.systemFacts());
    this.dispatcher = new Dispatcher({
      zoneTable: new CommandTable(ZONE_COMMANDS),
      systemTable: new CommandTable(SYSTEM_COMMANDS),
      zoneHandler: makeZoneHandler({
        zones: this.zones,
        configOf: (z) => this.zoneConfigs.get(z),
        supervisorHandlers: new Map([
          ['status', (z: string) => async () => ({ outcome: 'success' as const, message: 'status', result: this.zones.get(z)!.snapshot() })],
          ['restart', (z: string) => async (args: Record<string, unknown>) => {
            await this.zones.get(z)!.restart(String(args.reason ?? 'restart command'));
            return { outcome: 'success' as const, message: `zone ${z} restarted` };
          }],
        ]),
        workerTimeoutMs: WORKER_TIMEOUT_MS,
      }),
      systemHandlers: systemHandlers({
        status: () => this.status(),
        metrics: () => this.metrics(),
        health: () => this.health(),
        requestStop: (reason) => this.onStopRequest(reason),
        allowHostCommands: config.system.allow_host_commands,
      }),
      log: log.child({ component: 'commands' }),
      timeoutMs: COMMAND_TIMEOUT_MS,
      allowedWhileStopping: READ_ONLY,
    });

    this.mqtt.subscribe([sys.command, sys.commands, ...this.topicToZone.keys()]);
    this.state.publishSystem();
    this.mqtt.start();
    this.state.start(Math.max(1000, config.global.heartbeat_interval_ms));
    if (config.global.heartbeat_enabled) {
      this.stopHeartbeat = startHeartbeat(this.mqtt, config, this.zones, this.startedAt);
    }
    for (const runner of this.zones.all()) runner.start();
    void Promise.all(this.zones.all().map((r) => r.settled())).then(() => this.updateSystemState());
    log.info('supervisor started', { zones: this.zones.names().join(','), run_dir: paths.runDir, pid: process.pid });
  }

  private onZoneChanged(zone: string): void {
    this.state.zoneChanged(zone);
    this.updateSystemState();
  }

  private updateSystemState(): void {
    if (this.stopping || !this.state) return;
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

  private async commandFromControl(target: CommandSource, payload: string, origin: string): Promise<CommandOutcome> {
    if (target.kind === 'zone' && !this.zones.get(target.zone)) {
      return this.dispatcher.dispatch({ kind: 'zone', zone: target.zone }, payload, origin);
    }
    const outcome = await this.dispatcher.dispatch(target, payload, origin);
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
    };
  }

  metrics(): unknown {
    const mem = process.memoryUsage();
    return { mqtt: this.mqtt.metrics(), supervisor: { rss_mb: Math.round(mem.rss / 1048576), heap_mb: Math.round(mem.heapUsed / 1048576) } };
  }

  health(): unknown {
    const zones = this.zones.all().map((r) => ({ zone: r.name, state: r.state, worker_pid: r.pid, mpv_pids: r.mpvPids }));
    return {
      healthy: zones.every((z) => z.state === 'ready'),
      mpv_process_count: zones.reduce((n, z) => n + z.mpv_pids.length, 0),
      zones,
      mqtt_connected: this.mqtt.connected,
      memory_mb: Math.round(process.memoryUsage().rss / 1048576),
    };
  }

  /** Ordered shutdown: refuse commands, stop zones in reverse start order, offline, disconnect. */
  stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      const { log } = this.opts;
      log.info('supervisor stopping', { reason });
      this.dispatcher?.refuseNewCommands();
      this.state?.setSystemState('stopping');
      for (const runner of this.zones.all().reverse()) await runner.stop(reason);
      this.state?.publishAll();
      this.stopHeartbeat?.();
      this.state?.stop();
      await this.mqtt?.stop();
      await this.broker?.close();
      await this.workers?.close();
      await this.control?.close();
      log.info('supervisor stopped');
    })();
    return this.stopping;
  }
}
