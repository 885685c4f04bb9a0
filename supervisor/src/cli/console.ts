import { isJsonObject } from '@mpvisor/protocol';
import type { ConnectFlags } from './transport.js';
import type { Argv } from 'yargs';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { errorMessage } from '@mpvisor/sys';

export interface ConsoleFlags {
  consoleConfig?: string;
  bind?: string;
  port?: number;
  mqtt?: string;
  protocolVersion?: number;
  filter?: string[];
  auditLog?: string;
}

/** The console package is loaded only by these verbs, so `mpvisor run` never carries fastify. */
const loadConsole = () => import('@mpvisor/console');

/** File values first, then the flags given on the command line. */
async function consoleConfig(f: ConsoleFlags) {
  const { parseConsoleConfig, readConsoleConfigFile } = await loadConsole();
  let file: Record<string, unknown> = {};
  if (f.consoleConfig !== undefined) {
    try {
      file = await readConsoleConfigFile(f.consoleConfig);
    } catch (err) {
      throw new CliError(`cannot read --console-config ${f.consoleConfig}: ${errorMessage(err)}`, EXIT.usage);
    }
  }
  const mqtt: Record<string, unknown> = { ...(isJsonObject(file.mqtt) ? file.mqtt : {}) };
  if (f.mqtt !== undefined) mqtt.url = f.mqtt;
  if (f.protocolVersion !== undefined) mqtt.protocol_version = f.protocolVersion;
  if (f.filter !== undefined && f.filter.length > 0) mqtt.filters = f.filter;
  const merged = {
    ...file,
    ...(f.bind !== undefined ? { bind: f.bind } : {}),
    ...(f.port !== undefined ? { port: f.port } : {}),
    ...(f.auditLog !== undefined ? { audit_log: f.auditLog } : {}),
    mqtt,
  };
  try {
    return parseConsoleConfig(merged);
  } catch (err) {
    throw new CliError(`console configuration: ${errorMessage(err)}`, EXIT.usage);
  }
}

/** `mpvisor console`: serve the page until SIGINT/SIGTERM. */
export async function runConsole(f: ConsoleFlags): Promise<number> {
  const config = await consoleConfig(f);
  const { ConsoleApp } = await loadConsole();
  let app: Awaited<ReturnType<typeof ConsoleApp.start>>;
  try {
    app = await ConsoleApp.start(config);
  } catch (err) {
    throw new CliError(`console: ${errorMessage(err)}`, EXIT.unreachable);
  }
  process.stderr.write(
    `mpvisor console: ${app.url} (broker ${config.mqtt.url}${config.password_hash ? ', password required' : ', no password: loopback only'})\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.stop();
  return EXIT.ok;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/** `mpvisor console hash-password`: the password on standard input, the hash for the config on standard output. */
export async function hashPasswordVerb(): Promise<number> {
  const password = await readStdin();
  if (password.length < 8)
    throw new CliError('the password (on standard input) must have at least 8 characters', EXIT.usage);
  const { hashPassword } = await loadConsole();
  process.stdout.write(`${await hashPassword(password)}\n`);
  return EXIT.ok;
}

export const registerConsole = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'console [task]',
    'Serve the operator console: every node and zone on the broker, live, with actions',
    (a) =>
      a
        .positional('task', {
          type: 'string',
          choices: ['serve', 'hash-password'],
          default: 'serve',
          describe:
            'serve the page, or hash-password: read a password on standard input and print its hash for password_hash',
        })
        .option('console-config', {
          type: 'string',
          describe:
            'JSON file: bind, port, password_hash, session_ttl_s, audit_log, mqtt {url, username, password, filters}',
        })
        .option('bind', {
          type: 'string',
          describe: 'Address to listen on (default 127.0.0.1; any other needs password_hash)',
        })
        .option('port', { type: 'number', describe: 'TCP port (default 8080; 0 picks a free one)' })
        .option('filter', { type: 'string', array: true, describe: 'MQTT topic filters to watch (default #)' })
        .option('audit-log', {
          type: 'string',
          describe: 'Append every action as a JSON line to this file (default: standard output)',
        })
        .example('mpvisor console --mqtt mqtt://venue-broker:1883', 'the page on http://127.0.0.1:8080/')
        .example('printf %s "$PW" | mpvisor console hash-password', 'a password_hash for the config file')
        .example(
          'mpvisor console --console-config /etc/mpvisor/console.json --bind 0.0.0.0',
          'on the network, password required',
        ),
    (a) => guard(() => (a.task === 'hash-password' ? hashPasswordVerb() : runConsole(a))),
  );
