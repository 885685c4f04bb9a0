import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';
import { settlesWithin } from '@mpvisor/sys';

export interface MosquittoOptions {
  dir: string;
  port?: number;
  /** Extra lines for mosquitto.conf (password_file, acl_file, TLS listener...). */
  extra?: string[];
}

export interface Mosquitto {
  port: number;
  url: string;
  pid(): number | null;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port (after kill). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** A real Mosquitto on a free loopback port with a temp config; TCP no-delay as docs/operations.md advises. */
export async function startMosquitto(opts: MosquittoOptions): Promise<Mosquitto> {
  const port = opts.port ?? (await freePort());
  const conf = join(opts.dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'set_tcp_nodelay true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      ...(opts.extra ?? []),
    ].join('\n') + '\n',
  );
  chmodSync(opts.dir, 0o755);
  let child: ChildProcess | null = null;
  let stderr = '';
  const start = async () => {
    const c = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child = c;
    const exited = new Promise<never>((_, reject) =>
      c.once('close', (code, signal) =>
        reject(new Error(`mosquitto on port ${port} exited (${code ?? signal}) as it started: ${stderr.trim()}`)),
      ),
    );
    // A broker that exits at start (a bad option, a port taken) fails the start at once, not after 5 s.
    exited.catch(() => undefined);
    await Promise.race([waitFor(() => portOpen(port), 5000, `mosquitto on port ${port} (${stderr})`), exited]);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await settlesWithin(gone, 3000);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: () => child?.pid ?? null,
    kill,
    start,
    stop: () => kill('SIGTERM'),
  };
}
