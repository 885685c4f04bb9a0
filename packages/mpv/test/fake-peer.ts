// A stand-in for mpv's end of the IPC connection: records what the client writes and lets a test
// write raw bytes back, so framing and matching can be tested without a real mpv.
import { Duplex, PassThrough } from 'node:stream';

export interface SentRequest {
  command: unknown;
  request_id: number;
}

export class FakePeer {
  readonly toClient = new PassThrough();
  readonly fromClient = new PassThrough();
  readonly stream: Duplex = Duplex.from({ readable: this.toClient, writable: this.fromClient });
  readonly requests: SentRequest[] = [];
  #buffer = '';
  #waiters: Array<() => void> = [];

  constructor() {
    this.fromClient.setEncoding('utf8');
    this.fromClient.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let nl = this.#buffer.indexOf('\n'); nl !== -1; nl = this.#buffer.indexOf('\n')) {
        this.requests.push(JSON.parse(this.#buffer.slice(0, nl)) as SentRequest);
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves once the client has written at least `count` requests. */
  async waitForRequests(count: number): Promise<SentRequest[]> {
    while (this.requests.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.requests;
  }

  sendRaw(text: string): void {
    this.toClient.write(text);
  }

  send(message: object): void {
    this.sendRaw(JSON.stringify(message) + '\n');
  }

  reply(request_id: number, data?: unknown, error = 'success'): void {
    this.send(data === undefined ? { request_id, error } : { data, request_id, error });
  }

  /** mpv's side closes (mpv exited). */
  end(): void {
    this.toClient.end();
  }
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
