import { type DiagnosticSources, diagnostics } from '../diagnostics.js';
import type { Ownership } from './cleanup-handlers.js';
import { CommandTable, SYSTEM_COMMANDS, ZONE_COMMANDS } from '@mpvisor/protocol';
import type { SupervisorContext } from '../context.js';
import type { ResetCoordinator } from '../reset/coordinator.js';
import { RESET_COMMANDS, resetHandlers, resetTimeoutMs, zoneResetHandler } from '../reset/handlers.js';
import type { Reports } from '../reports.js';
import { supervisionHandlers } from '../zones/supervision-commands.js';
import { Dispatcher, type SystemHandler, type SystemHandlers } from './dispatcher.js';
import { pfxZoneHandlers } from './pfx-zone-handlers.js';
import type { SystemPause } from './system-pause.js';
import { systemHandlers } from './system-handlers.js';
import { makeZoneHandler } from './zone-routing.js';

const COMMAND_TIMEOUT_MS = 15_000;
const WORKER_TIMEOUT_MS = 10_000;
const READ_ONLY = new Set([
  'status',
  'health_check',
  'diagnostics',
  'metrics',
  'help',
  'getState',
  'getConfig',
  'speechQueue',
  'audioQueue',
  'videoQueue',
]);
/** A reset's outcome comes after the reset's own failure at its bound, so the command waits a little longer. */
const RESET_GRACE_MS = 10_000;
/** The worker answers a slow command within its own bound; the dispatcher waits that long and a little more. */
const WORKER_GRACE_MS = 2000;

export interface DispatcherWiring {
  resets: ResetCoordinator;
  reports: Reports;
  /** A `stop` (or killPfx) command ends the process the way SIGTERM does. */
  requestStop: (reason: string) => void;
  pause: SystemPause;
  /** reload_config, built over the reload's own parts. */
  reloadConfig: SystemHandler<'reload_config'>;
  ownership: Ownership;
  /** What `diagnostics` reads. */
  diagnostics: DiagnosticSources;
}

/** The one Dispatcher behind MQTT and the control socket, with every command's handler. */
export function buildDispatcher(ctx: SupervisorContext, w: DispatcherWiring): Dispatcher {
  const { config, zones, zoneConfigs, log } = ctx;
  const resetDeps = { coordinator: w.resets, defaultTimeoutMs: config.system.reset_timeout_ms };
  const system = systemHandlers({
    status: () => w.reports.status(),
    metrics: () => w.reports.metrics(),
    health: () => w.reports.health(),
    requestStop: w.requestStop,
    allowHostCommands: config.system.allow_host_commands,
  });
  const supervision = supervisionHandlers(zones);
  const zoneTable = new CommandTable(ZONE_COMMANDS);
  const routeZone = makeZoneHandler({
    zones,
    configOf: (z) => zoneConfigs.get(z),
    supervisorHandlers: {
      status: (z) => async () => ({ outcome: 'success', message: 'status', result: zones.get(z)?.snapshot() }),
      ...supervision,
      reset: zoneResetHandler(resetDeps),
      ...pfxZoneHandlers({
        restart: supervision.restart,
        systemHandlers: system,
        allowHostCommands: config.system.allow_host_commands,
      }),
    },
    workerTimeoutMs: WORKER_TIMEOUT_MS,
  });
  const systemTable: SystemHandlers = {
    ...system,
    ...w.ownership.handlers(),
    ...resetHandlers(resetDeps),
    ...w.pause.handlers(),
    reload_config: w.reloadConfig,
    diagnostics: async () => ({ outcome: 'success', message: 'diagnostics', result: await diagnostics(w.diagnostics) }),
  };
  return new Dispatcher({
    zoneTable,
    systemTable: new CommandTable(SYSTEM_COMMANDS),
    zoneHandler: (zone, spec, args) => {
      const handler = routeZone(zone, spec, args);
      if (typeof handler !== 'function') return handler;
      // While the system is paused, media commands wait for resume (checked when they run, not when routed).
      return async (a, s, c) => w.pause.gate(zone, s, a, c.id) ?? handler(a, s, c);
    },
    systemHandlers: systemTable,
    log: log.child({ component: 'commands' }),
    timeoutMs: COMMAND_TIMEOUT_MS,
    allowedWhileStopping: READ_ONLY,
    zoneExists: (z) => zoneConfigs.has(z),
    timeoutFor: (name, args) => {
      if (RESET_COMMANDS.has(name)) return resetTimeoutMs(args, config.system.reset_timeout_ms) + RESET_GRACE_MS;
      if (name === 'reload_config') return config.system.reset_timeout_ms + RESET_GRACE_MS;
      const own = zoneTable.lookup(name)?.timeoutMs;
      return own === undefined ? undefined : own + WORKER_GRACE_MS;
    },
  });
}
