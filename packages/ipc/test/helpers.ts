// Shared fixtures for the ipc integration tests: a temp folder per test, a tiny message schema, and
// an echo server whose answers the tests drive by message type.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IpcClient, IpcServer, isRequest, type IpcPeer } from '../src/index.js';

export interface Msg {
  type: string;
  [key: string]: unknown;
}

export function parseMsg(raw: unknown): Msg | Error {
  if (typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string') {
    return raw as Msg;
  }
  return new Error('message has no string type');
}

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mpvisor-ipc-'));
}

/** Tracks everything a test opens so afterEach can close it even when the test failed midway. */
export class Resources {
  readonly dir = makeTempDir();
  private readonly servers: IpcServer<Msg, Msg>[] = [];
  private readonly clients: IpcClient<Msg, Msg>[] = [];

  socketPath(name = 'test.sock'): string {
    return path.join(this.dir, name);
  }

  server(
    socketPath = this.socketPath(),
    onInvalid?: (peer: IpcPeer<Msg, Msg>, err: Error) => void,
  ): IpcServer<Msg, Msg> {
    const server = new IpcServer<Msg, Msg>({ socketPath, parse: parseMsg, onInvalid });
    this.servers.push(server);
    return server;
  }

  async echoServer(socketPath = this.socketPath()): Promise<IpcServer<Msg, Msg>> {
    const server = this.server(socketPath);
    server.on('message', (peer, msg) => answer(peer, msg));
    await server.listen();
    return server;
  }

  async client(socketPath = this.socketPath()): Promise<IpcClient<Msg, Msg>> {
    const client = await IpcClient.connect<Msg, Msg>({ socketPath, parse: parseMsg });
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients) client.close();
    for (const server of this.servers) await server.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The echo server's behaviour, keyed by message type. */
function answer(peer: IpcPeer<Msg, Msg>, msg: Msg): void {
  if (!isRequest(msg)) return;
  switch (msg.type) {
    case 'echo':
      peer.reply(msg, { type: 'echo', value: msg.value });
      break;
    case 'progress': {
      // Several partial answers spaced `gapMs` apart, then the final one.
      const steps = Number(msg.steps);
      const gapMs = Number(msg.gapMs ?? 0);
      let step = 0;
      const tick = (): void => {
        step++;
        if (step < steps) {
          peer.reply(msg, { type: 'progress', step });
          setTimeout(tick, gapMs);
        } else {
          peer.reply(msg, { type: 'done', step, final: true });
        }
      };
      setTimeout(tick, gapMs);
      break;
    }
    case 'bad-reply':
      peer.reply(msg, { notype: true } as unknown as Msg);
      break;
    case 'hang':
      break; // never answers
  }
}

export function errorCode(err: unknown): unknown {
  return (err as { code?: unknown }).code;
}
