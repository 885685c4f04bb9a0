import type { ConnectFlags } from './transport.js';
import type { Argv } from 'yargs';
import type { FleetSnapshot } from '@mpvisor/console';
import { CliError } from './control-client.js';
import { EXIT } from './exit-codes.js';
import { formatMs, printJson, table } from './output.js';
import { errorMessage } from '@mpvisor/sys';

export interface FleetFlags {
  mqtt?: string;
  protocolVersion?: number;
  filter?: string[];
  wait?: number;
}

/** Opens the console package's fleet client on --mqtt; loaded lazily like the console itself. */
export async function openFleet(f: FleetFlags) {
  if (!f.mqtt) throw new CliError('fleet verbs need --mqtt URL (the venue broker)', EXIT.usage);
  const { FleetClient } = await import('@mpvisor/console');
  try {
    return await FleetClient.open({
      url: f.mqtt,
      protocolVersion: f.protocolVersion === 4 ? 4 : 5,
      filters: f.filter?.length ? f.filter : ['#'],
    });
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.unreachable);
  }
}

export function renderFleet(s: FleetSnapshot): string {
  const nodes = [['NODE', 'BASE TOPIC', 'AVAILABILITY', 'SUPERVISOR', 'UPTIME', 'ZONES READY', 'RSS MB']];
  for (const n of s.nodes) {
    const zones = s.zones.filter((z) => z.node === n.id);
    nodes.push([
      n.device,
      n.base,
      n.online === null ? '?' : n.online ? 'online' : 'offline',
      n.system_state ?? '-',
      n.uptime_ms === null ? '-' : formatMs(n.uptime_ms),
      `${zones.filter((z) => z.state.state === 'ready').length}/${zones.length}`,
      n.rss_mb === null ? '-' : String(Math.round(n.rss_mb)),
    ]);
  }
  const zones = [['NODE', 'ZONE', 'STATE', 'BACKGROUND', 'VOLUME', 'RESTARTS', 'REASON']];
  for (const z of s.zones) {
    const bg = z.state.background;
    zones.push([
      z.node ? (s.nodes.find((n) => n.id === z.node)?.device ?? z.node) : '-',
      z.state.zone,
      z.state.state,
      bg?.file ? `${bg.status} ${bg.file.split('/').pop()}` : '-',
      z.state.volume === undefined ? '-' : String(z.state.volume),
      String(z.state.restarts),
      z.reason ?? '',
    ]);
  }
  return `${table(nodes)}\n${table(zones)}`;
}

/** `mpvisor fleet status`: every supervisor on the broker, from their retained states. */
export async function fleetStatus(f: FleetFlags, json: boolean): Promise<number> {
  const client = await openFleet(f);
  try {
    const snap = await client.survey({ maxMs: (f.wait ?? 3) * 1000 });
    if (json) printJson({ nodes: snap.nodes, zones: snap.zones });
    else
      process.stdout.write(
        snap.nodes.length === 0 && snap.zones.length === 0
          ? 'no mpvisor node seen on this broker\n'
          : renderFleet(snap),
      );
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

export const registerFleetStatus = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'status',
    'Every node and zone on the broker, as a table',
    (a) =>
      a
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document {nodes, zones}' })
        .example('mpvisor fleet status --mqtt mqtt://venue-broker:1883', 'all rooms at once'),
    (a) => guard(() => fleetStatus(a, a.json)),
  );
