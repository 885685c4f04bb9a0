import { IpcServer, isIpcError, type IpcPeer } from '@mpvisor/ipc';
import type { Logger } from '@mpvisor/log';
import { parseControlRequest, type ControlReply, type ControlRequest } from '@mpvisor/protocol';
import { errorMessage } from '@mpvisor/sys';

type Peer = IpcPeer<ControlRequest, ControlReply>;

export interface ControlHandlers {
  status(): unknown;
  /** `progress` sends a non-final reply (final: false) ahead of the outcome, e.g. each reset phase. */
  command(
    target: { kind: 'system' } | { kind: 'zone'; zone: string },
    payload: string,
    origin: string,
    progress: (data: unknown) => void,
  ): Promise<unknown>;
}

export class AlreadyRunningError extends Error {}

/** The CLI's way in: a 0600 socket in the 0700 run directory. Its listen also enforces one supervisor per run dir. */
export class ControlServer {
  private readonly server: IpcServer<ControlRequest, ControlReply>;

  constructor(
    socketPath: string,
    /** What answers now: a starting supervisor's desk, then the running one's (serve). */
    private handlers: ControlHandlers,
    private readonly log: Logger,
  ) {
    this.server = new IpcServer<ControlRequest, ControlReply>({
      socketPath,
      parse: parseControlRequest,
      onInvalid: (_peer, err) => this.log.warn(`control socket: ${err.message}`),
    });
    this.server.on('message', (peer, msg) => void this.onRequest(peer, msg));
    this.server.on('error', (err) => this.log.warn(`control socket error: ${err.message}`));
  }

  async listen(): Promise<void> {
    try {
      await this.server.listen();
    } catch (err) {
      if (isIpcError(err) && err.code === 'IPC_SOCKET_IN_USE') {
        throw new AlreadyRunningError(`another mpvisor supervisor is running on ${this.server.socketPath}`);
      }
      throw err;
    }
  }

  /** The running supervisor answers from now on. */
  serve(handlers: ControlHandlers): void {
    this.handlers = handlers;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async onRequest(peer: Peer, req: ControlRequest): Promise<void> {
    const reply = (ok: boolean, data: unknown) => peer.send({ reply_to: req.req_id, final: true, ok, data });
    try {
      if (req.verb === 'status') reply(true, this.handlers.status());
      else {
        const progress = (data: unknown) => {
          try {
            peer.send({ reply_to: req.req_id, final: false, ok: true, data });
          } catch {
            // The CLI went away or the report cannot be encoded: the reset goes on regardless.
          }
        };
        reply(true, await this.handlers.command(req.target, req.payload, 'cli', progress));
      }
    } catch (err) {
      reply(false, { message: errorMessage(err) });
    }
  }
}
