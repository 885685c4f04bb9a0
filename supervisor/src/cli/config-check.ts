import type { ConnectFlags } from './transport.js';
import type { Argv } from 'yargs';
import { ConfigError, formatProblem, loadConfigFile, type ConfigProblem } from '@mpvisor/config';
import { EXIT } from './exit-codes.js';
import { printJson } from './output.js';

/**
 * `mpvisor config check FILE`: every problem at once, one line each (`error: section.key (line N): ...`),
 * errors and warnings alike. Exit 2 when there is an error, 0 otherwise (warnings only).
 */
export async function configCheck(file: string, json: boolean): Promise<number> {
  let problems: ConfigProblem[];
  let zones: string[] = [];
  try {
    const config = await loadConfigFile(file);
    problems = config.problems;
    zones = config.zones.map((z) => `${z.kind}:${z.name}${z.enabled ? '' : ' (disabled)'}`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems;
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (json) {
    printJson({ file, ok: errors === 0, errors, warnings, problems, zones });
  } else {
    const stream = errors > 0 ? process.stderr : process.stdout;
    for (const p of problems) stream.write(`${formatProblem(p)}\n`);
    if (errors > 0)
      stream.write(
        `${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
      );
    else
      stream.write(
        `${file}: OK (${zones.length} zone${zones.length === 1 ? '' : 's'}: ${zones.join(', ') || 'none'}; ${warnings} warning${warnings === 1 ? '' : 's'})\n`,
      );
  }
  return errors > 0 ? EXIT.usage : EXIT.ok;
}

export const registerConfig = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command('config', 'Configuration tools', (c) =>
    c
      .command(
        'check <file>',
        'Validate an INI file and print every problem with section, key and line',
        (a) =>
          a
            .positional('file', { type: 'string', demandOption: true })
            .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' })
            .example('mpvisor config check /etc/mpvisor/pfx.ini', 'exit 2 when there are errors'),
        (a) => {
          return guard(() => configCheck(a.file, a.json));
        },
      )
      .demandCommand(1, 'Name a config command: check'),
  );
