import { spawn, type ChildProcess } from 'node:child_process';
import { canConnect, pulseSocketPath } from './server-socket.js';

export interface PulseEvent {
  kind: 'new' | 'change' | 'remove';
  /** sink, sink-input, source, server, card, module, client... as pactl names it. */
  facility: string;
  index: number | null;
}

/** One line of `pactl subscribe` (`Event 'remove' on sink #3`); anything else is null. */
export function parseEventLine(line: string): PulseEvent | null {
  const m = /^Event '(new|change|remove)' on ([a-z-]+)(?: #(\d+))?/.exec(line.trim());
  return m
    ? // Cast: The pattern's first group only matches the kinds PulseEvent lists.
      { kind: m[1] as PulseEvent['kind'], facility: m[2]!, index: m[3] === undefined ? null : Number(m[3]) }
    : null;
}

export interface PulseWatchOptions {
  env?: NodeJS.ProcessEnv;
  bin?: string;
  /** Every event the server reports, in order, as soon as its line arrives. */
  onEvent: (e: PulseEvent) => void;
  /** The server connection came (true) or went (false): once at start, then once per change. */
  onServer: (up: boolean) => void;
  /** How often an absent server is looked for again. Default 100 ms. */
  pollMs?: number;
  /** Longest pause between attempts when pactl keeps failing at once. Default 2000 ms. */
  maxBackoffMs?: number;
}

/**
 * `pactl subscribe` never reads its stdin, so it would outlive a parent killed by SIGKILL. It runs as
 * the shell's own pid (exec) beside a reader of the inherited stdin pipe that kills it at EOF: when
 * this process dies, or stops it, the pipe closes and pactl goes too.
 */
const TIED_TO_STDIN = 'exec 3<&0; (read -r _ <&3; kill $$ 2>/dev/null) & exec "$0" subscribe';

/** A subscribe child that lived this long counts as a good connection (its backoff starts over). */
const STABLE_MS = 2000;

/**
 * One long-lived `pactl subscribe`: the server's change events as they happen, and the server
 * connection itself (the child exits when the server goes). An absent server is looked for with a
 * plain connect to its socket first, so pactl never autospawns one; a child that keeps dying is
 * restarted with backoff.
 */
export class PulseWatch {
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** Null until the first attempt has found the server or not. */
  private up: boolean | null = null;
  private failures = 0;

  constructor(private readonly opts: PulseWatchOptions) {}

  get connected(): boolean {
    return this.up === true;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.child?.kill('SIGTERM');
    this.child?.stdin?.destroy();
    this.child = null;
  }

  private later(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, ms);
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.opts.onServer(up);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const env = this.opts.env ?? process.env;
    const socket = pulseSocketPath(env);
    const present = socket !== null ? await canConnect(socket, 500) : Boolean(env.PULSE_SERVER);
    if (this.stopped) return;
    if (!present) {
      this.setUp(false);
      this.later(this.opts.pollMs ?? 100);
      return;
    }
    const child = spawn('sh', ['-c', TIED_TO_STDIN, this.opts.bin ?? 'pactl'], {
      env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.child = child;
    const startedAt = Date.now();
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const event = parseEventLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (event && this.child === child) this.opts.onEvent(event);
      }
    });
    child.once('error', () => undefined);
    child.once('spawn', () => {
      if (this.child === child) this.setUp(true);
    });
    child.once('close', () => {
      child.stdin!.destroy();
      if (this.child !== child) return;
      this.child = null;
      this.setUp(false);
      this.failures = Date.now() - startedAt >= STABLE_MS ? 0 : this.failures + 1;
      const base = this.opts.pollMs ?? 100;
      this.later(Math.min(this.opts.maxBackoffMs ?? 2000, this.failures <= 1 ? base : base * 2 ** (this.failures - 1)));
    });
  }
}
