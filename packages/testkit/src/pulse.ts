import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { sleep, waitFor } from './wait.js';
import { settlesWithin } from '@mpvisor/sys';

const run = promisify(execFile);

export interface PulseDaemon {
  /** PULSE_SERVER value for clients (unix:PATH). */
  server: string;
  /** Environment that points a client (mpv, pactl, sox) at this daemon only. */
  env: Record<string, string>;
  /** The null sinks created at start. */
  sinks: string[];
  /** RMS amplitude (0..1) of what a sink plays, recorded from its monitor for `seconds`. */
  sinkRms(sink: string, seconds?: number): Promise<number>;
  /** Unload the module of a sink created at start (or by addSink): the output goes away. */
  removeSink(name: string): Promise<void>;
  /** Load a null sink of that name again: the output comes back. */
  addSink(name: string): Promise<void>;
  /** Kill the server (SIGKILL, every process of it): clients lose their connection. */
  crash(): Promise<void>;
  /** Start the server again with its start-up sinks; resolves once clients can use it. */
  revive(): Promise<void>;
  /** Each daemon process: running or how it ended, and the tail of its stderr (for a failed test's log). */
  describe(): string;
  stop(): Promise<void>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `pactl -f json list WHAT`: its objects (anything else in the list is left out). */
export async function pactlJson(env: NodeJS.ProcessEnv, what: string): Promise<Array<Record<string, unknown>>> {
  const list: unknown = JSON.parse((await run('pactl', ['-f', 'json', 'list', what], { env, timeout: 5000 })).stdout);
  if (!Array.isArray(list)) throw new Error(`pactl list ${what}: not a JSON list`);
  return list.filter(isRecord);
}

function sinkControls(env: NodeJS.ProcessEnv): Pick<PulseDaemon, 'removeSink' | 'addSink'> {
  return {
    removeSink: async (name) => {
      const sink = (await pactlJson(env, 'sinks')).find((s) => s.name === name);
      if (!sink) throw new Error(`no sink ${name}`);
      await run('pactl', ['unload-module', String(sink.owner_module)], { env, timeout: 5000 });
    },
    addSink: async (name) => {
      await run('pactl', ['load-module', 'module-null-sink', `sink_name=${name}`], { env, timeout: 5000 });
    },
  };
}

/** The client environment startPulse will hand out for `dir`: a program started before the daemon finds it there. */
export function pulseClientEnv(dir: string): Record<'HOME' | 'XDG_RUNTIME_DIR' | 'PULSE_SERVER', string> {
  const home = join(dir, 'pulse-home');
  return { HOME: home, XDG_RUNTIME_DIR: home, PULSE_SERVER: `unix:${join(home, 'native')}` };
}

/** The client environment startPipewirePulse will hand out for `dir` (see pulseClientEnv). */
export function pipewireClientEnv(dir: string): Record<'HOME' | 'XDG_RUNTIME_DIR' | 'PULSE_SERVER', string> {
  const home = join(dir, 'pw-home');
  return { HOME: home, XDG_RUNTIME_DIR: home, PULSE_SERVER: `unix:${join(home, 'pulse', 'native')}` };
}

/**
 * A private PulseAudio daemon (no sound card, no user session) with one null sink per name, so a test
 * can prove audio reached a zone's sink by recording the sink's monitor. HOME and XDG_RUNTIME_DIR point
 * into `dir`, so it never meets the machine's own audio server.
 */
export async function startPulse(opts: { dir: string; sinks: string[] }): Promise<PulseDaemon> {
  const env = pulseClientEnv(opts.dir);
  const home = env.HOME;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const server = env.PULSE_SERVER;
  const socket = server.slice('unix:'.length);
  const args = [
    '--daemonize=no',
    '--exit-idle-time=-1',
    '--disallow-exit',
    '-n',
    '--use-pid-file=no',
    '--log-target=stderr',
    '-L',
    `module-native-protocol-unix socket=${socket} auth-anonymous=1`,
  ];
  for (const s of opts.sinks) args.push('-L', `module-null-sink sink_name=${s}`);
  const clientEnv = { ...process.env, ...env };
  let stderr = '';
  const stderrOf = () => stderr;
  const launch = async () => {
    const child: ChildProcess = spawn('pulseaudio', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await waitFor(
      async () =>
        child.exitCode === null &&
        (await run('pactl', ['info'], { env: clientEnv, timeout: 2000 }).then(
          () => true,
          () => false,
        )),
      10_000,
      `private pulseaudio at ${socket} (${stderr})`,
      20,
    );
    return { child, exited };
  };
  let current = await launch();
  return {
    server,
    env,
    sinks: [...opts.sinks],
    sinkRms: (sink, seconds) => sinkRms(clientEnv, sink, seconds),
    ...sinkControls(clientEnv),
    crash: async () => {
      current.child.kill('SIGKILL');
      await current.exited;
    },
    revive: async () => {
      current = await launch();
    },
    describe: () => describeChild('pulseaudio', current.child, stderrOf()),
    stop: () => stopChild(current.child, current.exited),
  };
}

async function sinkRms(clientEnv: NodeJS.ProcessEnv, sink: string, seconds = 1): Promise<number> {
  const { stderr: stat } = await run(
    'sox',
    ['-q', '-t', 'pulseaudio', `${sink}.monitor`, '-n', 'trim', '0', String(seconds), 'stat'],
    { env: clientEnv, timeout: (seconds + 10) * 1000 },
  );
  const m = /RMS\s+amplitude:\s+([\d.]+)/.exec(stat);
  if (!m) throw new Error(`no RMS in sox output: ${stat}`);
  return Number(m[1]);
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the child has exited. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await settlesWithin(exited, 3000);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The PipeWire programs startPipewirePulse needs that are not on PATH (empty: all there). */
export function missingPipewireBinaries(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const found = (bin: string) =>
    dirs.some((d) => {
      try {
        accessSync(join(d, bin), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return ['pipewire', 'pipewire-pulse', 'wireplumber'].filter((b) => !found(b));
}

// WirePlumber 0.4 exits at start without a D-Bus session bus ("Error acquiring bus address"): only its
// device reservation (ALSA), flatpak portal and bluetooth parts want one, and a test has no devices.
// These files (in the private HOME's ~/.config/wireplumber) replace the stock 90-enable-all.lua scripts.
const WIREPLUMBER_MAIN = `-- mpvisor test daemon: no D-Bus, no hardware. Policy (linking, default nodes) as stock.
load_module("metadata")
default_access.properties["enable-flatpak-portal"] = false
default_access.enable()
device_defaults.enable()
stream_defaults.enable()
load_script("intended-roles.lua")
load_script("suspend-node.lua")
`;
const WIREPLUMBER_BLUETOOTH = '-- mpvisor test daemon: no bluetooth (it needs D-Bus)\n';

/**
 * A private PipeWire with pipewire-pulse and WirePlumber (the session manager that links streams to
 * sinks), no sound card, no D-Bus, no desktop session, and one null sink per name loaded through the
 * pulse protocol (`pactl load-module module-null-sink`). Same shape as startPulse: clients talk to it
 * with PULSE_SERVER, and never meet the machine's own audio server (HOME, XDG_RUNTIME_DIR and the
 * session bus address point into `dir`).
 */
export async function startPipewirePulse(opts: { dir: string; sinks: string[] }): Promise<PulseDaemon> {
  const home = join(opts.dir, 'pw-home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  for (const sub of ['main.lua.d', 'bluetooth.lua.d'])
    mkdirSync(join(home, '.config', 'wireplumber', sub), { recursive: true });
  writeFileSync(join(home, '.config', 'wireplumber', 'main.lua.d', '90-enable-all.lua'), WIREPLUMBER_MAIN);
  writeFileSync(join(home, '.config', 'wireplumber', 'bluetooth.lua.d', '90-enable-all.lua'), WIREPLUMBER_BLUETOOTH);
  const env = pipewireClientEnv(opts.dir);
  const server = env.PULSE_SERVER;
  const socket = server.slice('unix:'.length);
  const daemonEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    PIPEWIRE_RUNTIME_DIR: home,
    // Never the machine's session bus; nothing here needs one (the failed connects are only logged).
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-dbus')}`,
  };
  for (const k of [
    'PIPEWIRE_REMOTE',
    'PIPEWIRE_CORE',
    'PULSE_RUNTIME_PATH',
    'DISPLAY',
    'WAYLAND_DISPLAY',
    'WIREPLUMBER_CONFIG_DIR',
  ])
    delete daemonEnv[k];
  const clientEnv = { ...process.env, ...env };
  // Each daemon's whole stderr into this folder (with WIREPLUMBER_DEBUG=3, WirePlumber's linking
  // decisions): the 4000 characters kept for describe() are too few to follow one.
  const logDir = process.env.MPVISOR_TEST_DAEMON_LOGS;

  const procs: Array<{
    name: string;
    child: ChildProcess;
    exited: Promise<void>;
    failed: () => boolean;
    stderr: () => string;
  }> = [];
  const launch = (name: string) => {
    const child = spawn(name, [], { stdio: ['ignore', 'ignore', 'pipe'], env: daemonEnv });
    let stderr = '';
    let failed = false;
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      if (logDir) appendFileSync(join(logDir, `${name}.log`), d);
    });
    const exited = new Promise<void>((r) => {
      child.once('exit', () => r());
      child.once('error', (err) => {
        failed = true;
        stderr += `\n${err.message}`;
        r();
      });
    });
    procs.push({ name, child, exited, failed: () => failed, stderr: () => stderr });
  };
  const dead = () => procs.find((p) => p.failed() || p.child.exitCode !== null || p.child.signalCode !== null);
  const stop = async () => {
    for (const p of [...procs].reverse()) if (!p.failed()) await stopChild(p.child, p.exited);
  };
  // Like waitFor, but a daemon that exits fails the wait at once, with its stderr.
  const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
    const limitMs = 20_000; // WirePlumber took over 10 s to choose a default sink once in CI
    const deadline = Date.now() + limitMs;
    for (;;) {
      const d = dead();
      if (d)
        throw new Error(
          `${d.name} exited (${d.child.exitCode ?? d.child.signalCode ?? 'not started'}) while waiting for ${what}: ${d.stderr().trim()}`,
        );
      if (await cond()) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
      await sleep(50);
    }
  };
  const pactl = (args: string[]) => run('pactl', args, { env: clientEnv, timeout: 5000 });

  const boot = async () => {
    procs.length = 0;
    try {
      launch('pipewire');
      await until(() => existsSync(join(home, 'pipewire-0')), 'the pipewire socket');
      launch('pipewire-pulse');
      launch('wireplumber');
      await until(
        () =>
          pactl(['info']).then(
            () => true,
            () => false,
          ),
        `pipewire-pulse at ${socket}`,
      );
      for (const s of opts.sinks) await pactl(['load-module', 'module-null-sink', `sink_name=${s}`]);
      // WirePlumber links streams to sinks; it is at work once it has chosen a default sink. Not always one
      // of ours: a supervisor already waiting for a server loads its holding sink the moment pipewire-pulse
      // answers, and WirePlumber may choose that one (a CI run waited 20 s for one of ours); the tests set
      // their own default afterwards.
      if (opts.sinks.length > 0) {
        const out = (args: string[]) =>
          pactl(args).then(
            (r) => r.stdout,
            () => '',
          );
        await until(async () => {
          const name = (await out(['get-default-sink'])).trim();
          return (
            name !== '' && (await out(['list', 'short', 'sinks'])).split('\n').some((l) => l.split('\t')[1] === name)
          );
        }, 'wireplumber to choose a default sink');
      }
    } catch (err) {
      const logs = procs.map((p) => `${p.name}: ${p.stderr().trim().split('\n').slice(-5).join(' | ')}`).join('\n');
      await stop();
      throw new Error(`${(err as Error).message}\n${logs}`);
    }
  };
  await boot();
  // sox reads pipewire-pulse in ~2 s fragments unless asked for a low latency (a 1 s recording took 2.9 s).
  const recordEnv = { ...clientEnv, PULSE_LATENCY_MSEC: '50' };
  return {
    server,
    env,
    sinks: [...opts.sinks],
    sinkRms: (sink, seconds) => sinkRms(recordEnv, sink, seconds),
    ...sinkControls(clientEnv),
    crash: async () => {
      for (const p of procs)
        if (!p.failed() && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
    },
    // pipewire-pulse may die alone (its SIGSEGV in module-combine-stream) while pipewire and WirePlumber
    // live on; a new pipewire beside the old one could not take the socket, so what lives is stopped first.
    revive: async () => {
      await stop();
      await boot();
    },
    describe: () => procs.map((p) => describeChild(p.name, p.child, p.stderr())).join('\n'),
    stop,
  };
}

function describeChild(name: string, child: ChildProcess, stderr: string): string {
  const state =
    child.exitCode === null && child.signalCode === null ? 'running' : `exited (${child.exitCode ?? child.signalCode})`;
  return `${name} ${child.pid ?? '-'} ${state}: ${stderr.trim().split('\n').slice(-8).join(' | ')}`;
}
