import { IpcServer, type IpcPeer } from '@mpvisor/ipc';
import type { Logger } from '@mpvisor/log';
import {
  parseWorkerMessage,
  WORKER_PROTOCOL,
  type SupervisorToWorker,
  type WorkerToSupervisor,
} from '@mpvisor/protocol';
import type { ZoneRegistry } from './zone-registry.js';
import type { WorkerLink } from './zones/runner-context.js';

type Peer = IpcPeer<WorkerToSupervisor, SupervisorToWorker>;
type Hello = Extract<WorkerToSupervisor, { type: 'hello' }>;

/** Who accepts a spare's hello (zone null): returns where its messages go, or null to refuse it. */
export interface SpareAttach {
  attach(link: WorkerLink, pid: number, token: string): ((msg: WorkerToSupervisor) => void) | null;
}

/**
 * The socket workers report to. Any process of our user can connect, and a pid is no secret, so a
 * hello is accepted only with the token we generated for that very spawn, for a zone we run (or, zone
 * null, by the spare pool), and only once per worker. Until a connection has said such a hello it
 * speaks for nothing, and an invalid message closes it like a refused hello.
 */
export class WorkerServer {
  private readonly server: IpcServer<WorkerToSupervisor, SupervisorToWorker>;
  private readonly handlerOf = new Map<Peer, (msg: WorkerToSupervisor) => void>();
  private readonly lost = new Map<Peer, () => void>();

  constructor(
    socketPath: string,
    private readonly zones: ZoneRegistry,
    private readonly log: Logger,
    private readonly spares: SpareAttach | null = null,
  ) {
    this.server = new IpcServer<WorkerToSupervisor, SupervisorToWorker>({
      socketPath,
      parse: parseWorkerMessage,
      onInvalid: (peer, err) => this.onInvalid(peer, err),
    });
    this.server.on('message', (peer, msg) => this.onMessage(peer, msg));
    this.server.on('disconnect', (peer) => {
      this.handlerOf.delete(peer);
      this.lost.get(peer)?.();
      this.lost.delete(peer);
    });
    this.server.on('error', (err) => this.log.warn(`worker socket error: ${err.message}`));
  }

  listen(): Promise<void> {
    return this.server.listen();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private onMessage(peer: Peer, msg: WorkerToSupervisor): void {
    if (msg.type !== 'hello') {
      this.handlerOf.get(peer)?.(msg);
      return;
    }
    const handler = this.accept(peer, msg);
    if (!handler) {
      this.log.warn('refused worker hello', { zone: msg.zone ?? '(spare)', pid: msg.pid });
      this.handlerOf.delete(peer);
      peer.close();
      return;
    }
    this.handlerOf.set(peer, handler);
  }

  private accept(peer: Peer, hello: Hello): ((msg: WorkerToSupervisor) => void) | null {
    if (hello.protocol !== WORKER_PROTOCOL) return null;
    const closed = new Promise<void>((resolve) => this.lost.set(peer, resolve));
    const link = { send: (m: SupervisorToWorker) => peer.send(m), close: () => peer.close(), closed };
    if (hello.zone === null) return this.spares?.attach(link, hello.pid, hello.token) ?? null;
    return this.zones.get(hello.zone)?.attach(link, hello.pid, hello.token) ?? null;
  }

  private onInvalid(peer: Peer, err: Error): void {
    this.log.warn(`dropped invalid worker message: ${err.message}`);
    if (!this.handlerOf.has(peer)) peer.close();
  }
}
