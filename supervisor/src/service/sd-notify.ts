import { execFile } from 'node:child_process';
import type { Logger } from '@mpvisor/log';

export const SYSTEMD_NOTIFY = '/usr/bin/systemd-notify';
const CALL_TIMEOUT_MS = 3000;

/**
 * sd_notify(3) for Node, which cannot bind or send on AF_UNIX datagram sockets: each message is one
 * run of /usr/bin/systemd-notify (argument array, no shell, bounded in time, never awaited by the
 * event loop's hot paths). Messages go out in the order they were asked for. With NotifyAccess=all the
 * helper's own pid is allowed to speak for the unit; `--pid=` with our pid makes systemd attribute the
 * message to the main process even when the short-lived helper has already exited when systemd reads it.
 * Without NOTIFY_SOCKET (not under systemd, or Type=simple) every call is a no-op.
 */
export class SdNotifier {
  private chain: Promise<void> = Promise.resolve();
  private watchdog: NodeJS.Timeout | null = null;
  private lastStatus = '';

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly binary = SYSTEMD_NOTIFY,
  ) {}

  get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  /** Send `KEY=VALUE` assignments; resolves when systemd-notify exited (errors are logged, not thrown). */
  notify(...assignments: string[]): Promise<void> {
    if (!this.enabled || assignments.length === 0) return Promise.resolve();
    const args = [`--pid=${process.pid}`, ...assignments];
    this.chain = this.chain.then(
      () =>
        new Promise<void>((resolve) => {
          execFile(this.binary, args, { timeout: CALL_TIMEOUT_MS, env: this.env }, (err, _stdout, stderr) => {
            if (err)
              this.log.warn(`systemd-notify ${assignments.join(' ')} failed: ${String(stderr).trim() || err.message}`);
            else this.log.debug('sd_notify', { message: assignments.join(' ') });
            resolve();
          });
        }),
    );
    return this.chain;
  }

  ready(status: string): Promise<void> {
    this.lastStatus = status;
    return this.notify('READY=1', `STATUS=${status}`);
  }

  /** STATUS= only when it changed: zone state changes come in bursts. */
  status(text: string): Promise<void> {
    if (text === this.lastStatus) return this.chain;
    this.lastStatus = text;
    return this.notify(`STATUS=${text}`);
  }

  stopping(status = 'stopping'): Promise<void> {
    this.stopWatchdog();
    this.lastStatus = status;
    return this.notify('STOPPING=1', `STATUS=${status}`);
  }

  /** WATCHDOG=1 at half of WATCHDOG_USEC (when systemd set it for us, i.e. WatchdogSec= in the unit). */
  startWatchdog(alive: () => boolean = () => true): void {
    const usec = Number(this.env.WATCHDOG_USEC);
    const pid = this.env.WATCHDOG_PID;
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return;
    if (pid && Number(pid) !== process.pid) return;
    const every = Math.max(100, Math.floor(usec / 1000 / 2));
    this.watchdog = setInterval(() => {
      if (alive()) void this.notify('WATCHDOG=1');
    }, every);
    this.watchdog.unref();
  }

  stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Resolves once every message asked for so far went out. */
  drain(): Promise<void> {
    return this.chain;
  }
}

/** "2/2 zones ready" or "1/2 zones ready, 1 failed, 0 starting" for STATUS= lines. */
export function zoneSummary(states: readonly string[]): string {
  const count = (s: string) => states.filter((x) => x === s).length;
  const ready = count('ready');
  const parts = [`${ready}/${states.length} zones ready`];
  for (const s of ['degraded', 'restarting', 'starting', 'failed', 'stopped']) {
    const n = count(s);
    if (n > 0) parts.push(`${n} ${s}`);
  }
  return parts.join(', ');
}
