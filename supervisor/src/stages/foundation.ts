import type { Ledger } from '@mpvisor/ledger';
import { CombinedSinks } from '../audio/combined-sinks.js';
import { Ownership } from '../commands/cleanup-handlers.js';
import type { SupervisorContext } from '../context.js';
import { ControlServer } from '../control/control-server.js';
import { prepareDirs } from '../paths.js';
import { ZoneStateStore } from '../state-store.js';
import { WorkerServer } from '../worker-server.js';
import { buildSparePool } from '../zones/build-runner.js';
import type { SparePool } from '../zones/spare-pool.js';
import { ZoneBootstraps } from '../zones/zone-bootstraps.js';
import { startingDesk } from './starting-desk.js';

/** The second stage: the run's folders, sockets, saved zones and ownership ledger, before any zone runs. */
export interface Foundation {
  store: ZoneStateStore;
  bootstraps: ZoneBootstraps;
  /** Answers `starting` until the last stage hands it the running supervisor's desk. */
  control: ControlServer;
  workers: WorkerServer;
  /** Null with warm_spares = 0. */
  spares: SparePool | null;
  sinks: CombinedSinks;
  ownership: Ownership;
}

/**
 * Control socket first (its listen also guarantees one supervisor per run directory), then the worker
 * socket, then what a previous (killed) run left is cleaned from the ledger alone. A failure closes the
 * sockets already listening before it is rethrown.
 */
export async function buildFoundation(ctx: SupervisorContext): Promise<Foundation> {
  const { paths, log, zones } = ctx;
  await prepareDirs(paths);
  const store = new ZoneStateStore(
    paths.stateDir,
    () => bootstraps.snapshot(zones.all()),
    log.child({ component: 'state' }),
  );
  const bootstraps = new ZoneBootstraps(await store.load());
  const control = new ControlServer(paths.controlSocket, startingDesk(ctx), log.child({ component: 'control' }));
  await control.listen();
  const opened: Array<{ close(): Promise<void> }> = [control];
  try {
    // The sinks' init runs before the ledger is in use; they record into it from then on.
    let ledgerInUse: Ledger | null = null;
    const sinks = new CombinedSinks({
      stateDir: paths.stateDir,
      log: log.child({ component: 'pulse' }),
      ledger: () => ledgerInUse,
    });
    const ownership = new Ownership({
      stateDir: paths.stateDir,
      runDir: paths.runDir,
      log: log.child({ component: 'ledger' }),
      unloadPulseModule: (m) => sinks.unloadRecorded(m),
    });
    const spares = buildSparePool(ctx, ownership);
    const workers = new WorkerServer(paths.workerSocket, zones, log.child({ component: 'workers' }), spares);
    await workers.listen();
    opened.push(workers);
    await sinks.init();
    ledgerInUse = ownership.ledger;
    await ownership.start([paths.controlSocket, paths.workerSocket]);
    return { store, bootstraps, control, workers, spares, sinks, ownership };
  } catch (err) {
    await Promise.allSettled(opened.map((s) => s.close()));
    throw err;
  }
}
