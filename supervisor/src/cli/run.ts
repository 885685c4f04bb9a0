import { LOG_LEVELS } from '@mpvisor/protocol';
import type { Argv } from 'yargs';
import type { ConnectFlags } from './transport.js';

export const registerRun = <T extends ConnectFlags>(y: Argv<T>, guard: (fn: () => Promise<number>) => Promise<void>) =>
  y.command(
    'run',
    'Start the supervisor in the foreground (the built-in demo when no --config is given)',
    (a) =>
      a
        .option('state-dir', {
          type: 'string',
          describe: 'State directory: saved zone state (zones.json), ledger, demo media',
        })
        .option('log-level', {
          choices: LOG_LEVELS,
          describe: 'Overrides [global] log_level',
        })
        .example('mpvisor run', 'demo config with the embedded broker')
        .example('mpvisor run --config /etc/mpvisor/pfx.ini', 'your rooms')
        .example('mpvisor run -c pfx.ini --log-level debug', 'more detail, workers included')
        .epilogue(
          'Exit codes: 0 clean stop, 1 unclean stop (crash, a worker needed SIGKILL, second signal), 2 configuration error or already running.',
        ),
    async (a) => {
      // The supervisor's code is loaded only by this verb: status, send and the rest start without it.
      const { run } = await import('./run-supervisor.js');
      await guard(() => run({ config: a.config, runDir: a.runDir, stateDir: a.stateDir, logLevel: a.logLevel }));
      // Every log line has been flushed by run(); do not wait for stray handles of a hurried shutdown.
      process.exit(process.exitCode ?? 0);
    },
  );
