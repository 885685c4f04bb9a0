import type { ServerResponse } from 'node:http';

const KEEPALIVE_MS = 20_000;
const MAX_BUFFERED = 1024 * 1024;

/**
 * Server-sent events to every open page. Each client first gets what `initial` returns, then every
 * broadcast. A comment line every 20 s keeps proxies and phones from closing an idle stream.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.writeAll(': keepalive\n\n'), KEEPALIVE_MS);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  attach(res: ServerResponse, initial: Array<{ event: string; data: unknown }>): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    for (const m of initial) res.write(frame(m.event, m.data));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  broadcast(event: string, data: unknown): void {
    this.writeAll(frame(event, data));
  }

  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  /** A client that stopped reading (a phone gone out of range) is dropped, not buffered for without end; its EventSource reconnects and gets a fresh snapshot. */
  private writeAll(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.clients.delete(res);
        res.destroy();
      } else res.write(text);
    }
  }
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
