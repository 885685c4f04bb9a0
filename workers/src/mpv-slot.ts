import { spawnMpv, type MpvAudioOutput, type MpvClient, type MpvProcess } from '@mpvisor/mpv';
import type { MpvInstanceInfo } from '@mpvisor/protocol';
import type { Reporter } from './reporter.js';
import { errorMessage } from '@mpvisor/sys';

export interface MpvSlotOptions {
  role: string;
  instance: string;
  mpvPath: string;
  audio: MpvAudioOutput;
  extraArgs: string[];
  video: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * A warm spare's video mpv: no window until a zone adopts it (one would cover the live zone's
   * screen, and a DRM output has room for one mpv only). Adoption sets the zone's force-window.
   */
  hideWindow?: boolean;
  reporter: Reporter;
  /** Called after an unplanned restart, to resume what was playing. */
  onRestarted: (slot: MpvSlot) => Promise<void>;
}

const RESTART_MIN_MS = 50;
const RESTART_MAX_MS = 5000;
const STABLE_MS = 10_000;

/**
 * One supervised mpv inside a worker: it is restarted when it exits or stops answering a probe, with
 * its own backoff, and the owner's onRestarted resumes playback; the worker itself never restarts.
 */
export class MpvSlot {
  private proc: MpvProcess | null = null;
  private restarts = 0;
  private consecutive = 0;
  private startedAt = 0;
  private closing = false;
  private starting: Promise<MpvProcess> | null = null;
  /** A restart waiting out its backoff. */
  private restartTimer: NodeJS.Timeout | null = null;
  private failedProbes = 0;
  private begun = false;

  constructor(private opts: MpvSlotOptions) {}

  get client(): MpvClient | null {
    return this.proc && !this.proc.client.closed ? this.proc.client : null;
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  get role(): string {
    return this.opts.role;
  }

  /** Starts the mpv once; a slot handed over already running (a warm spare's) is not started again. */
  async start(): Promise<void> {
    if (this.begun) {
      await this.ready();
      return;
    }
    this.begun = true;
    await this.spawn();
  }

  /**
   * A running slot changes hands (a warm spare becoming a zone): the new owner's instance name, audio
   * output (used if this mpv has to be restarted), arguments and crash hook apply from now on.
   */
  adopt(opts: MpvSlotOptions): void {
    this.opts = opts;
  }

  /** Whether this mpv was started as `opts` would start it: same kind, options and display. */
  matches(opts: MpvSlotOptions): boolean {
    const mine = this.opts;
    return (
      mine.video === opts.video &&
      mine.env.DISPLAY === opts.env.DISPLAY &&
      mine.extraArgs.length === opts.extraArgs.length &&
      mine.extraArgs.every((a, i) => a === opts.extraArgs[i])
    );
  }

  /**
   * This mpv plays to `output` from now on, and so does any mpv restarted in this slot. The device is
   * set before the output kind, so a stream never opens on the server's default sink first. An mpv
   * still starting was started with the old output: it is switched once it answers.
   */
  async switchAudio(output: MpvAudioOutput, timeoutMs: number): Promise<void> {
    this.opts = { ...this.opts, audio: output };
    if (!this.client && this.starting) await this.starting.catch(() => undefined);
    const client = this.client;
    if (!client) return;
    await client.setProperty('audio-device', output.device ?? 'auto', { timeoutMs });
    await client.setProperty('ao', output.ao ?? '', { timeoutMs });
  }

  /**
   * The current client, waiting for a restart in progress (bounded by mpv's own ready timeout). Never a
   * second mpv: one whose IPC is gone is killed and its exit awaited, and a restart waiting out its
   * backoff happens now, since a command needs this mpv.
   */
  async ready(): Promise<MpvClient> {
    for (;;) {
      if (this.client) return this.client;
      if (this.starting) return (await this.starting).client;
      if (this.closing) throw new Error(`mpv ${this.opts.role} is closed`);
      if (this.proc) {
        // Its IPC is gone but its exit not yet seen: no use any more. The exit decides the restart.
        this.proc.kill('SIGKILL');
        await this.proc.exited;
        continue;
      }
      if (this.restartTimer) {
        this.restartNow();
        continue;
      }
      return (await this.spawn()).client;
    }
  }

  private restartLater(delayMs: number): void {
    this.restartTimer = setTimeout(() => this.restartNow(), delayMs);
  }

  private restartNow(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    void this.restart();
  }

  private spawn(): Promise<MpvProcess> {
    const { opts } = this;
    this.starting = spawnMpv({
      role: opts.role,
      mpvPath: opts.mpvPath,
      audioOutput: opts.audio,
      video: opts.video,
      args: ['--volume-max=200', ...opts.extraArgs, ...(opts.hideWindow ? ['--force-window=no'] : [])],
      env: opts.env,
      onStderrLine: (line) => opts.reporter.warn(line, { role: opts.role, source: 'mpv' }),
    }).then(
      (proc) => {
        this.proc = proc;
        this.starting = null;
        this.startedAt = Date.now();
        this.failedProbes = 0;
        opts.reporter.send({
          type: 'process',
          action: 'spawned',
          role: opts.role,
          instance: opts.instance,
          pid: proc.pid,
        });
        void proc.exited.then((exit) => this.onExit(proc, exit));
        return proc;
      },
      (err: unknown) => {
        this.starting = null;
        throw err;
      },
    );
    return this.starting;
  }

  private onExit(proc: MpvProcess, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    const { opts } = this;
    opts.reporter.send({ type: 'process', action: 'exited', role: opts.role, instance: opts.instance, pid: proc.pid });
    if (proc !== this.proc || this.closing) return;
    this.proc = null;
    this.consecutive = Date.now() - this.startedAt > STABLE_MS ? 1 : this.consecutive + 1;
    const delay = this.consecutive <= 1 ? 0 : Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (this.consecutive - 1));
    opts.reporter.warn(`mpv ${opts.role} exited (${exit.signal ?? `code ${exit.code}`}); restarting in ${delay} ms`, {
      role: opts.role,
    });
    opts.reporter.send({
      type: 'event',
      event: {
        type: 'mpv',
        state: 'crashed',
        detail: { role: opts.role, code: exit.code, signal: exit.signal, restart_in_ms: delay },
      },
    });
    this.restartLater(delay);
  }

  /** spawn() runs before the first await, so from the call on ready() waits for this mpv and starts no other. */
  private async restart(): Promise<void> {
    if (this.closing) return;
    try {
      await this.spawn();
      this.restarts++;
      this.opts.reporter.send({
        type: 'event',
        event: { type: 'mpv', state: 'restarted', detail: { role: this.opts.role, pid: this.pid } },
      });
      await this.opts.onRestarted(this);
    } catch (err) {
      this.opts.reporter.error(`mpv ${this.opts.role} failed to restart: ${errorMessage(err)}`, {
        role: this.opts.role,
      });
      this.consecutive++;
      this.restartLater(Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** this.consecutive));
    }
  }

  /** Liveness: a hung mpv (SIGSTOP, deadlock) accepts the request but never answers. Two misses kill it. */
  async probe(timeoutMs: number): Promise<boolean> {
    const proc = this.proc;
    if (!proc) return this.starting !== null;
    if (await proc.client.probe(timeoutMs)) {
      this.failedProbes = 0;
      return true;
    }
    this.failedProbes++;
    if (this.failedProbes >= 2) {
      this.opts.reporter.warn(`mpv ${this.opts.role} does not answer; killing it`, {
        role: this.opts.role,
        pid: proc.pid,
      });
      proc.kill('SIGKILL');
    }
    return false;
  }

  /** Kill this mpv for a health reason; its exit goes through the normal restart and resume path. */
  kill(reason: string): void {
    const proc = this.proc;
    if (!proc) return;
    this.opts.reporter.warn(`killing mpv ${this.opts.role}: ${reason}`, { role: this.opts.role, pid: proc.pid });
    proc.kill('SIGKILL');
  }

  info(): MpvInstanceInfo {
    return {
      role: this.opts.role,
      instance: this.opts.instance,
      pid: this.pid,
      alive: this.client !== null,
      restarts: this.restarts,
    };
  }

  /**
   * The first step of closing: no restart from now on, and the mpv paused (mpv answers once the audio
   * server has corked its stream, so nothing more of it is heard) and muted (a loadfile still in flight
   * starts its file unpaused, but without sound). True once that is so, or when no mpv runs; false when
   * it cannot be confirmed: an mpv starting, or one whose IPC is gone or does not answer in time.
   */
  async silence(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.starting) return false;
    const client = this.client;
    if (!client) return this.proc === null;
    try {
      await Promise.all([
        client.setProperty('mute', true, { timeoutMs }),
        client.setProperty('pause', true, { timeoutMs }),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const proc = this.proc ?? (await this.starting?.catch(() => null)) ?? null;
    if (proc) await proc.stop(timeoutMs);
  }
}
