import type { LogLevel, WorkerToSupervisor } from '@mpvisor/protocol';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

/**
 * The worker's voice: log lines, events and state go to the supervisor over the socket, which names
 * the zone on every line. Before the socket is up (or after it is gone) lines go to stderr, which the
 * supervisor relays too.
 */
export class Reporter {
  private sendFn: ((msg: WorkerToSupervisor) => boolean) | null = null;
  private readonly threshold: number;

  constructor(level: LogLevel) {
    this.threshold = ORDER[level];
  }

  connect(send: (msg: WorkerToSupervisor) => boolean): void {
    this.sendFn = send;
  }

  disconnect(): void {
    this.sendFn = null;
  }

  send(msg: WorkerToSupervisor): void {
    if (this.sendFn) this.sendFn(msg);
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] > this.threshold) return;
    if (this.sendFn && this.sendFn({ type: 'log', level, message, ...(fields ? { fields } : {}) })) return;
    process.stderr.write(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  }

  error(m: string, f?: Record<string, unknown>) {
    this.log('error', m, f);
  }
  warn(m: string, f?: Record<string, unknown>) {
    this.log('warn', m, f);
  }
  info(m: string, f?: Record<string, unknown>) {
    this.log('info', m, f);
  }
  debug(m: string, f?: Record<string, unknown>) {
    this.log('debug', m, f);
  }
}
