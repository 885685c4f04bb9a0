import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolvePaths } from '../paths.js';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { run } from './run.js';
import { send } from './send.js';
import { status } from './status.js';

const controlSocket = (argv: { runDir?: string }) => resolvePaths(null, { runDir: argv.runDir }).controlSocket;

async function guard(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`mpvisor: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`mpvisor: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = EXIT.failed;
    }
  }
}

export async function main(argv: string[]): Promise<void> {
  await yargs(hideBin(['node', 'mpvisor', ...argv]))
    .scriptName('mpvisor')
    .option('run-dir', { type: 'string', describe: 'Run directory holding the control socket (default /run/mpvisor as root)' })
    .command(
      'run',
      'Start the supervisor (the built-in demo when no --config is given)',
      (y) =>
        y
          .option('config', { alias: 'c', type: 'string', describe: 'ParadoxFX-style INI file' })
          .option('state-dir', { type: 'string', describe: 'State directory (ledger, saved zone state, demo media)' })
          .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug', 'trace'] })
          .example('mpvisor run', 'demo config with the embedded broker')
          .example('mpvisor run --config /etc/mpvisor/pfx.ini', 'your rooms'),
      (a) => guard(() => run({ config: a.config, runDir: a.runDir, stateDir: a.stateDir, logLevel: a.logLevel })),
    )
    .command(
      'status',
      'Show supervisor and zone states',
      (y) => y.option('json', { type: 'boolean', default: false }).example('mpvisor status --json', 'one JSON document'),
      (a) => guard(() => status(controlSocket(a), a.json)),
    )
    .command(
      'send <target> <payload>',
      'Send one command to a zone (or "system") and print its outcome',
      (y) =>
        y
          .positional('target', { type: 'string', demandOption: true })
          .positional('payload', { type: 'string', demandOption: true })
          .option('json', { type: 'boolean', default: false })
          .example(`mpvisor send lobby '{"command":"playBackground","file":"tone-220.wav"}'`, 'play music in zone lobby'),
      (a) => guard(() => send(controlSocket(a), a.target, a.payload, a.json)),
    )
    .demandCommand(1, 'Name a command; see --help')
    .strict()
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`${y.help()}\n\nmpvisor: ${msg}\n`);
      process.exit(EXIT.usage);
    })
    .help()
    .parseAsync();
}
