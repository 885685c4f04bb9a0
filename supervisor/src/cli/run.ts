import { join } from 'node:path';
import { ConfigError, demoConfig, ensureDemoMedia, formatProblem, loadConfigFile, type MpvisorConfig } from '@mpvisor/config';
import { createLogger, type Logger } from '@mpvisor/log';
import { Supervisor } from '../app.js';
import { AlreadyRunningError } from '../control/control-server.js';
import { defaultStateDir, resolvePaths } from '../paths.js';
import { EXIT } from './exit-codes.js';

export interface RunFlags {
  config?: string;
  runDir?: string;
  stateDir?: string;
  logLevel?: string;
}

async function loadConfig(flags: RunFlags): Promise<MpvisorConfig> {
  if (flags.config) return loadConfigFile(flags.config);
  const mediaDir = join(flags.stateDir ?? defaultStateDir(), 'demo-media');
  await ensureDemoMedia(mediaDir);
  return demoConfig({ mediaDir });
}

/** `mpvisor run`: returns the process exit code once the supervisor has stopped. */
export async function run(flags: RunFlags): Promise<number> {
  let config: MpvisorConfig;
  try {
    config = await loadConfig(flags);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mpvisor: configuration has errors:\n${err.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const log = createLogger({ level: flags.logLevel ?? config.global.log_level, base: { component: 'supervisor' } });
  for (const p of config.problems) log.warn(`config: ${formatProblem(p)}`);
  if (!flags.config) log.info('no --config given: running the built-in demo configuration');
  const paths = resolvePaths(config, flags);
  const supervisor = new Supervisor({ config, paths, log });

  let exitCode: number = EXIT.ok;
  let signals = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const shutdown = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    void supervisor.stop(reason).then(resolveDone, (err: unknown) => {
      log.error('shutdown failed', { err });
      exitCode = EXIT.failed;
      resolveDone();
    });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting at once`);
      void log.flush().finally(() => process.exit(EXIT.failed));
      return;
    }
    shutdown(sig, EXIT.ok);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception', { err });
    shutdown('uncaught exception', EXIT.failed);
  });
  process.on('unhandledRejection', (err) => {
    log.error('unhandled rejection', { err });
    shutdown('unhandled rejection', EXIT.failed);
  });
  supervisor.setStopRequestHandler((reason) => shutdown(reason, EXIT.ok));

  try {
    await supervisor.start();
  } catch (err) {
    if (err instanceof AlreadyRunningError) {
      log.error(`${err.message}; refusing to start a second one`);
      await log.flush();
      return EXIT.usage;
    }
    log.error(`failed to start: ${(err as Error).message}`, { err });
    shutdown('start failed', EXIT.failed);
  }
  await done;
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
