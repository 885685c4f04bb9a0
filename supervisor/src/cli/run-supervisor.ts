import { join } from 'node:path';
import {
  ConfigError,
  demoConfig,
  ensureDemoMedia,
  formatProblem,
  loadConfigFile,
  type LogLevel,
  type MpvisorConfig,
} from '@mpvisor/config';
import { createLogger, type Logger } from '@mpvisor/log';
import { Supervisor } from '../app.js';
import { AlreadyRunningError } from '../control/control-server.js';
import { defaultStateDir, resolvePaths, RunDirError } from '../paths.js';
import { SdNotifier, zoneSummary } from '../service/sd-notify.js';
import { EXIT } from './exit-codes.js';
import { preferSmallHeap } from './heap-mode.js';
import { settlesWithin, errorMessage } from '@mpvisor/sys';

export interface RunFlags {
  config?: string;
  runDir?: string;
  stateDir?: string;
  logLevel?: LogLevel | undefined;
}

/**
 * Test-only: MPVISOR_TEST_CRASH_AFTER_MS=N throws an uncaught exception N ms after start, so tests can
 * prove that a crash is logged with its stack, shuts down in order and exits non-zero. Never set it
 * in production.
 */
export const TEST_CRASH_ENV = 'MPVISOR_TEST_CRASH_AFTER_MS';

/** After a second signal: how long the hurried shutdown may take before the process exits anyway. */
const HURRY_MS = 1000;

async function loadConfig(flags: RunFlags): Promise<MpvisorConfig> {
  const config = flags.config ? await loadConfigFile(flags.config) : await demo(flags);
  // --log-level wins over [global] log_level, for the supervisor and for every worker.
  if (!flags.logLevel) return config;
  return { ...config, global: { ...config.global, log_level: flags.logLevel } };
}

async function demo(flags: RunFlags): Promise<MpvisorConfig> {
  const mediaDir = join(flags.stateDir ?? defaultStateDir(), 'demo-media');
  await ensureDemoMedia(mediaDir);
  return demoConfig({ mediaDir });
}

/**
 * `mpvisor run`: returns the process exit code once the supervisor has stopped.
 * 0: stopped cleanly (signal or `stop` command). 1: not clean (a worker needed SIGKILL, a second signal,
 * a crash, a failure while starting or stopping). 2: configuration error, a run directory that is not
 * safely ours, or another supervisor running.
 */
export async function run(flags: RunFlags): Promise<number> {
  preferSmallHeap();
  let config: MpvisorConfig;
  try {
    config = await loadConfig(flags);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `mpvisor: configuration has errors:\n${err.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`,
      );
      return EXIT.usage;
    }
    throw err;
  }
  const log = createLogger({ level: config.global.log_level, base: { component: 'supervisor' } });
  for (const p of config.problems) log.warn(`config: ${formatProblem(p)}`);
  if (!flags.config) log.info('no --config given: running the built-in demo configuration');
  const paths = resolvePaths(config, flags);
  const notifier = new SdNotifier(log.child({ component: 'systemd' }));
  let started = false;
  const supervisor = new Supervisor({
    config,
    paths,
    log,
    onZonesChanged: (states) => {
      if (started) void notifier.status(zoneSummary(states));
    },
  });

  let exitCode: number = EXIT.ok;
  let signals = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const shutdown = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    void notifier.stopping(`stopping: ${reason}`);
    void supervisor.stop(reason).then(
      (report) => {
        if (!report.clean) exitCode = Math.max(exitCode, EXIT.failed);
        resolveDone();
      },
      (err: unknown) => {
        log.error('shutdown failed', { err });
        exitCode = EXIT.failed;
        resolveDone();
      },
    );
  };
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: skipping the waits, killing workers`);
      exitCode = EXIT.failed;
      supervisor.abort();
      setTimeout(resolveDone, HURRY_MS).unref();
      return;
    }
    log.info(`${sig} received: graceful shutdown (send it again to hurry)`);
    shutdown(sig, EXIT.ok);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // systemd's ExecReload: re-read the config file; its outcome is logged and published like a command's.
  process.on('SIGHUP', () => {
    log.info('SIGHUP received: reloading the configuration');
    void supervisor.reloadFromSignal();
  });
  process.on('uncaughtException', (err) => {
    log.error(`uncaught exception: ${err?.message ?? String(err)}`, { err });
    shutdown('uncaught exception', EXIT.failed);
  });
  process.on('unhandledRejection', (err) => {
    log.error(`unhandled rejection: ${errorMessage(err)}`, { err });
    shutdown('unhandled rejection', EXIT.failed);
  });
  supervisor.setStopRequestHandler((reason) => shutdown(reason, EXIT.ok));

  const crashAfter = Number(process.env[TEST_CRASH_ENV]);
  if (Number.isFinite(crashAfter) && crashAfter > 0) {
    log.warn(`${TEST_CRASH_ENV} is set: an uncaught exception will be thrown in ${crashAfter} ms (test hook)`);
    setTimeout(() => {
      throw new Error(`injected crash (${TEST_CRASH_ENV}=${crashAfter})`);
    }, crashAfter);
  }

  try {
    await supervisor.start();
    started = true;
    void supervisor.settled().then(() => {
      if (signals > 0) return;
      const states = supervisor.zoneStates();
      void notifier.ready(zoneSummary(states));
      notifier.startWatchdog();
    });
  } catch (err) {
    if (err instanceof AlreadyRunningError) {
      log.error(`${err.message}; refusing to start a second one`);
      await log.flush();
      return EXIT.usage;
    }
    if (err instanceof RunDirError) {
      // Someone else's folder does not go away on a restart.
      log.error(err.message);
      await log.flush();
      return EXIT.usage;
    }
    log.error(`failed to start: ${errorMessage(err)}`, { err });
    shutdown('start failed', EXIT.failed);
  }
  await done;
  await settlesWithin(notifier.drain(), 3000);
  await flushQuietly(log);
  return exitCode;
}

async function flushQuietly(log: Logger): Promise<void> {
  try {
    await log.flush();
  } catch {
    // Nothing left to report to.
  }
}
