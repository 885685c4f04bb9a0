import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { registerCleanup } from './cleanup.js';
import { registerConfig } from './config-check.js';
import { registerConsole } from './console.js';
import { CliError } from './control-client.js';
import { registerDiagnostics } from './diagnostics.js';
import { EXIT } from './exit-codes.js';
import { registerFleet } from './fleet.js';
import { registerHealth } from './health.js';
import { registerReload } from './reload.js';
import { registerReset } from './reset.js';
import { registerRun } from './run.js';
import { registerSend } from './send.js';
import { registerStatus } from './status.js';
import { errorStack } from '@mpvisor/sys';

/** Runs one verb and turns what it throws into the exit code (CliError carries its own). */
async function guard(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`mpvisor: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`mpvisor: ${errorStack(err)}\n`);
      process.exitCode = EXIT.failed;
    }
  }
}

const EPILOGUE = [
  'Exit codes: 0 done, 1 the command failed, 2 usage or configuration error, 3 supervisor not reachable.',
  'Without --mqtt the CLI talks to the supervisor over its control socket ({run dir}/control.sock, mode 0600).',
].join('\n');

export async function main(argv: string[]): Promise<void> {
  let y = yargs(hideBin(['node', 'mpvisor', ...argv]))
    .scriptName('mpvisor')
    .option('run-dir', {
      type: 'string',
      global: true,
      describe: 'Run directory holding the control socket (default /run/mpvisor as root)',
    })
    .option('config', {
      alias: 'c',
      type: 'string',
      global: true,
      describe: 'INI file (run: the config; other verbs: run_dir and MQTT topics)',
    })
    .option('mqtt', {
      type: 'string',
      global: true,
      describe: 'Reach the supervisor through this broker instead of the control socket (mqtt://[user:pass@]host:port)',
    })
    .option('topic', {
      type: 'string',
      global: true,
      describe: 'With --mqtt: base topic (default: the config\'s base_topic, else "paradox")',
    })
    .option('system-topic', {
      type: 'string',
      global: true,
      describe: "With --mqtt: system topic (default: the config's [system:main] topic, else {base}/system)",
    })
    .option('protocol-version', {
      type: 'number',
      global: true,
      choices: [4, 5],
      default: 5,
      describe: 'With --mqtt: MQTT protocol version',
    })
    .option('wait', {
      type: 'number',
      global: true,
      describe: 'Seconds to wait for the outcome of a command (default per verb, 10-60)',
    })
    .group(
      ['run-dir', 'config', 'mqtt', 'topic', 'system-topic', 'protocol-version', 'wait'],
      'Reaching the supervisor:',
    );
  for (const register of [
    registerRun,
    registerStatus,
    registerHealth,
    registerDiagnostics,
    registerReset,
    registerReload,
    registerCleanup,
    registerSend,
    registerConfig,
    registerConsole,
    registerFleet,
  ]) {
    y = register(y, guard);
  }
  await y
    .demandCommand(1, 'Name a command; see --help')
    .strict()
    .epilogue(EPILOGUE)
    .fail((msg, err, yy) => {
      if (err) throw err;
      process.stderr.write(`${yy.help()}\n\nmpvisor: ${msg}\n`);
      process.exit(EXIT.usage);
    })
    .help()
    .parseAsync();
}
