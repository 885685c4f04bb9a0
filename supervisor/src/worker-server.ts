import { IpcServer, type IpcPeer } from '@mpvisor/ipc';
import type { Logger } from '@mpvisor/log';
import { parseWorkerMessage, WORKER_PROTOCOL, type SupervisorToWorker, type WorkerToSupervisor } from '@mpvisor/protocol';
import type { ZoneRegistry } from './zone-registry.js';
import type { ZoneRunner } from './zones/zone-runner.js';

type Peer = IpcPeer<WorkerToSupervisor, SupervisorToWorker>;

/**
 * The socket workers report to. A worker is attached to its zone only if its hello names a zone we run
 * and the pid we spawned for it, so a stray or stale process can never speak for a zone.
 */
export class WorkerServer {
  private readonly server: IpcServer<WorkerToSupervisor, SupervisorToWorker>;
  private readonly runnerOf = new Map<Peer, ZoneRunner>();

  constructor(socketPath: string, private readonly zones: ZoneRegistry, private readonly log: Logger) {
    this.server = new IpcServer<WorkerToSupervisor, SupervisorToWorker>({
      socketPath,
      parse: parseWorkerMessage,
      onInvalid: (_peer, err) => this.log.warn(`dropped invalid worker message: ${err.message}`),
    });
    this.server.on('message', (peer, msg) => this.onMessage(peer, msg));
    this.server.on('disconnect', (peer) => this.runnerOf.delete(peer));
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
      const runner = this.zones.get(msg.zone);
      if (!runner || msg.protocol !== WORKER_PROTOCOL || !runner.attach({ send: (m) => peer.send(m), close: () => peer.close() }, msg.pid)) {
        this.log.warn('refused worker hello', { zone: msg.zone, pid: msg.pid });
        peer.close();
        return;
      }
      this.runnerOf.set(peer, runner);
      return;
    }
    this.runnerOf.get(peer)?.onMessage(msg);
  }
}
