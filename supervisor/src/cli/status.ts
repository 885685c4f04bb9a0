import type { Argv } from 'yargs';
import type { ZoneState } from '@mpvisor/protocol';
import { EXIT } from './exit-codes.js';
import { formatMs, printJson, table } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';

interface StatusData {
  system: { state: string; pid: number; uptime_ms: number; mqtt: { connected: boolean } | null };
  zones: ZoneState[];
}

/** `room_a ok`; a sink mpvisor made shows the devices behind it: `mpvisor_lobby>room_e(gone) output_missing`. */
function outputCell(o: NonNullable<ZoneState['output']>): string {
  const devices = (o.devices ?? []).map((d) => (d.present ? d.name : `${d.name}(gone)`)).join('+');
  return `${o.sink}${devices ? `>${devices}` : ''} ${o.problems.join(',') || 'ok'}`;
}

export function renderStatus(data: StatusData): string {
  const s = data.system;
  const head = `supervisor  ${s.state}  pid ${s.pid}  up ${formatMs(s.uptime_ms)}  mqtt ${s.mqtt?.connected ? 'connected' : 'disconnected'}\n\n`;
  const rows = [['ZONE', 'TYPE', 'STATE', 'WORKER', 'MPV', 'RESTARTS', 'UPTIME', 'BACKGROUND', 'OUTPUT']];
  for (const z of data.zones) {
    rows.push([
      z.zone,
      z.zone_type,
      z.state,
      z.pid === null ? '-' : String(z.pid),
      z.mpv_processes.map((m) => `${m.role}:${m.pid ?? '-'}`).join(' ') || '-',
      String(z.restarts),
      formatMs(z.uptime_ms),
      z.background?.file ? `${z.background.status} ${z.background.file.split('/').pop()}` : '-',
      z.output ? outputCell(z.output) : (z.audio_output ?? '-'),
    ]);
  }
  return head + table(rows);
}

export async function status(flags: ConnectFlags, json: boolean): Promise<number> {
  // Cast: The supervisor's own status report, only printed: a field it lacks prints empty.
  const data = (await withTransport(flags, (t) => t.status())) as StatusData;
  if (json) printJson(data);
  else process.stdout.write(renderStatus(data));
  return EXIT.ok;
}

export const registerStatus = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'status',
    'Show the supervisor and zone states',
    (a) =>
      a
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' })
        .example('mpvisor status', 'a table of zones')
        .example('mpvisor status --json | jq .zones[0].state', 'for scripts')
        .example('mpvisor status --mqtt mqtt://show-pi:1883', 'a supervisor on another machine'),
    (a) => guard(() => status(a, a.json)),
  );
