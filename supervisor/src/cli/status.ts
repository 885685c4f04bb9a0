import type { ZoneState } from '@mpvisor/protocol';
import { controlRequest } from './control-client.js';
import { EXIT } from './exit-codes.js';

interface StatusData {
  system: { state: string; pid: number; uptime_ms: number; mqtt: { connected: boolean } | null };
  zones: ZoneState[];
}

export async function status(socketPath: string, json: boolean): Promise<number> {
  const reply = await controlRequest(socketPath, { verb: 'status' }, 5000);
  const data = reply.data as StatusData;
  if (json) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return EXIT.ok;
  }
  const s = data.system;
  process.stdout.write(`supervisor  ${s.state}  pid ${s.pid}  up ${formatMs(s.uptime_ms)}  mqtt ${s.mqtt?.connected ? 'connected' : 'disconnected'}\n\n`);
  const rows = [['ZONE', 'TYPE', 'STATE', 'WORKER', 'MPV', 'RESTARTS', 'UPTIME', 'BACKGROUND']];
  for (const z of data.zones) {
    rows.push([
      z.zone,
      z.type,
      z.state,
      z.pid === null ? '-' : String(z.pid),
      z.mpv_instances.map((m) => `${m.role}:${m.pid ?? '-'}`).join(' ') || '-',
      String(z.restarts),
      formatMs(z.uptime_ms),
      z.background?.file ? `${z.background.status} ${z.background.file.split('/').pop()}` : '-',
    ]);
  }
  process.stdout.write(table(rows));
  return EXIT.ok;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
