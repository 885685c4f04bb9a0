import { IpcServer, type IpcPeer } from '@mpvisor/ipc';
import type { Logger } from '@mpvisor/log';
import { parseWorkerMessage, WORKER_PROTOCOL, type SupervisorToWorker, type WorkerToSupervisor } from '@mpvisor/protocol';
import type { ZoneRegistry } from './zone-registry.js';
import type { WorkerLink } from './zones/zone-runner.js';

type Peer = IpcPeer<WorkerToSupervisor, SupervisorToWorker>;

/** Who accepts a spare's hello (zone null): returns where its messages go, or null to refuse it. */
export interface SpareAttach {
  attach(link: WorkerLink, pid: number): ((msg: WorkerToSupervisor) => void) | null;
}

/**
 * The socket workers report to. A worker is attached to its zone only if its hello names a zone we run
 * and the pid we spawned for it, so a stray or stale process can never speak for a zone. A warm spare
 * (hello with zone null) is accepted only by the spare pool, for a pid the pool spawned.
 */
export class WorkerServer {
  private readonly server: IpcServer<WorkerToSupervisor, SupervisorToWorker>;
  private readonly handlerOf = new Map<Peer, (msg: WorkerToSupervisor) => void>();

  constructor(
    socketPath: string,
    private readonly zones: ZoneRegistry,
    private readonly log: Logger,
    private readonly spares: SpareAttach | null = null,
  ) {
    this.server = new IpcServer<WorkerToSupervisor, SupervisorToWorker>({
      socketPath,
      parse: parseWorkerMessage,
      onInvalid: (_peer, err) => this.log.warn(`dropped invalid worker message: ${err.message}`),
    });
    this.server.on('message', (peer, msg) => this.onMessage(peer, msg));
    this.server.on('disconnect', (peer) => this.handlerOf.delete(peer));
    this.server.on('error', (err) => this.log.warn(`worker socket error: ${err.message}`));
  }

  listen(): Promise<void> {
    return this.server.listen();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private onMessage(peer: Peer, msg: WorkerToSupervisor): void {
    if (msg.type === 'hello') {
      const link = { send: (m: SupervisorToWorker) => peer.send(m), close: () => peer.close() };
      let handler: ((m: WorkerToSupervisor) => void) | null = null;
      if (msg.protocol === WORKER_PROTOCOL) {
        if (msg.zone === null) handler = this.spares?.attach(link, msg.pid) ?? null;
        else {
          const runner = this.zones.get(msg.zone);
          if (runner?.attach(link, msg.pid)) handler = (m) => runner.onMessage(m);
        }
      }
      if (!handler) {
        this.log.warn('refused worker hello', { zone: msg.zone ?? '(spare)', pid: msg.pid });
        peer.close();
        return;
      }
      this.handlerOf.set(peer, handler);
      return;
    }
    this.handlerOf.get(peer)?.(msg);
  }
}
