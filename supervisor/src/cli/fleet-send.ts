import type { ConnectFlags } from './transport.js';
import { isJsonObject } from '@mpvisor/protocol';
import type { Argv } from 'yargs';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { openFleet, type FleetFlags } from './fleet-status.js';
import { printJson, table } from './output.js';
import { errorMessage } from '@mpvisor/sys';

export interface FleetSendFlags extends FleetFlags {
  payload: string;
  node?: string[];
  zones: boolean;
  json: boolean;
}

function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`the payload must be a JSON object: ${errorMessage(err)}`, EXIT.usage);
  }
  if (!isJsonObject(value) || typeof value.command !== 'string') {
    throw new CliError(`the payload must be a JSON object with a command, e.g. '{"command":"status"}'`, EXIT.usage);
  }
  return value;
}

/**
 * `mpvisor fleet send`: one command to every online node's system topic (or with --zones to every zone
 * of those nodes), sent at once, one outcome line per target. Exit 0 only when every outcome is
 * success or warning.
 */
export async function fleetSend(f: FleetSendFlags): Promise<number> {
  const payload = parsePayload(f.payload);
  const client = await openFleet(f);
  try {
    const snap = await client.survey({ maxMs: 3000 });
    const nodes = snap.nodes.filter(
      (n) => n.online && (!f.node?.length || f.node.includes(n.device) || f.node.includes(n.id)),
    );
    const targets = f.zones
      ? snap.zones
          .filter((z) => nodes.some((n) => n.id === z.node))
          .map((z) => ({ topic: z.topic, label: `${z.node?.split('/').pop()}/${z.state.zone}` }))
      : nodes.filter((n) => n.system_topic !== null).map((n) => ({ topic: n.system_topic!, label: n.device }));
    if (targets.length === 0) throw new CliError('no online node (or zone) matched', EXIT.failed);
    const results = await client.sendAll(
      targets.map((t) => t.topic),
      payload,
      (f.wait ?? 30) * 1000,
    );
    const labelled = results.map((r) => ({
      target: targets.find((t) => t.topic === r.topic)!.label,
      topic: r.topic,
      outcome: r.outcome,
    }));
    if (f.json) printJson(labelled);
    else {
      const rows = [['TARGET', 'OUTCOME', 'MESSAGE']];
      for (const r of labelled)
        rows.push([
          r.target,
          r.outcome.outcome + (r.outcome.error_type ? ` (${r.outcome.error_type})` : ''),
          r.outcome.message,
        ]);
      process.stdout.write(table(rows));
    }
    return labelled.every((r) => r.outcome.outcome === 'success' || r.outcome.outcome === 'warning')
      ? EXIT.ok
      : EXIT.failed;
  } finally {
    await client.close();
  }
}

export const registerFleetSend = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'send <payload>',
    'Send one command to every online node (or zone) and print each outcome',
    (a) =>
      a
        .positional('payload', { type: 'string', demandOption: true, describe: 'the command as a JSON object' })
        .option('node', { type: 'string', array: true, describe: 'only these nodes (device name or base/device)' })
        .option('zones', {
          type: 'boolean',
          default: false,
          describe: 'send to every zone of the nodes instead of their system topic',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print the outcomes as one JSON document' })
        .example(`mpvisor fleet send --mqtt mqtt://broker '{"command":"health_check"}'`, 'every node checks itself')
        .example(`mpvisor fleet send --mqtt mqtt://broker --zones '{"command":"stopAudio"}'`, 'silence the venue'),
    (a) => guard(() => fleetSend(a)),
  );
