import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export interface PulseDaemon {
  /** PULSE_SERVER value for clients (unix:PATH). */
  server: string;
  /** Environment that points a client (mpv, pactl, sox) at this daemon only. */
  env: Record<string, string>;
  /** RMS amplitude (0..1) of what a sink plays, recorded from its monitor for `seconds`. */
  sinkRms(sink: string, seconds?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A private PulseAudio daemon (no sound card, no user session) with one null sink per name, so a test
 * can prove audio reached a zone's sink by recording the sink's monitor. HOME and XDG_RUNTIME_DIR point
 * into `dir`, so it never meets the machine's own audio server.
 */
export async function startPulse(opts: { dir: string; sinks: string[] }): Promise<PulseDaemon> {
  const home = join(opts.dir, 'pulse-home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const socket = join(home, 'native');
  const server = `unix:${socket}`;
  const env = { HOME: home, XDG_RUNTIME_DIR: home, PULSE_SERVER: server };
  const args = ['--daemonize=no', '--exit-idle-time=-1', '--disallow-exit', '-n', '--use-pid-file=no', '--log-target=stderr', '-L', `module-native-protocol-unix socket=${socket} auth-anonymous=1`];
  for (const s of opts.sinks) args.push('-L', `module-null-sink sink_name=${s}`);
  const child: ChildProcess = spawn('pulseaudio', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const clientEnv = { ...process.env, ...env };
  await waitFor(
    async () => child.exitCode === null && (await run('pactl', ['info'], { env: clientEnv, timeout: 2000 }).then(() => true, () => false)),
    10_000,
    `private pulseaudio at ${socket} (${stderr})`,
    50,
  );
  return {
    server,
    env,
    async sinkRms(sink, seconds = 1) {
      const { stderr: stat } = await run('sox', ['-q', '-t', 'pulseaudio', `${sink}.monitor`, '-n', 'trim', '0', String(seconds), 'stat'], { env: clientEnv, timeout: (seconds + 10) * 1000 });
      const m = /RMS\s+amplitude:\s+([\d.]+)/.exec(stat);
      if (!m) throw new Error(`no RMS in sox output: ${stat}`);
      return Number(m[1]);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
