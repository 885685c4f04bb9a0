import type { Argv } from 'yargs';
import { finishRead, table } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';

interface Health {
  healthy: boolean;
  mpv_process_count: number;
  mqtt_connected: boolean;
  memory_mb: number;
  zones: Array<{ zone: string; state: string; worker_pid: number | null; mpv_pids: number[] }>;
}

function render(result: unknown): string {
  // Cast: The supervisor's own health report, only printed: a field it lacks prints empty.
  const h = result as Health;
  const head = `${h.healthy ? 'healthy' : 'UNHEALTHY'}  mpv processes ${h.mpv_process_count}  mqtt ${h.mqtt_connected ? 'connected' : 'disconnected'}  memory ${h.memory_mb} MB\n\n`;
  const rows = [['ZONE', 'STATE', 'WORKER', 'MPV PIDS']];
  for (const z of h.zones ?? [])
    rows.push([z.zone, z.state, z.worker_pid === null ? '-' : String(z.worker_pid), z.mpv_pids.join(' ') || '-']);
  return head + table(rows);
}

/** `mpvisor health`: the system health_check; exit 0 when the check ran (even if a zone is unhealthy). */
export async function health(flags: ConnectFlags, json: boolean): Promise<number> {
  const outcome = await withTransport(flags, (t) =>
    t.command({ kind: 'system' }, { command: 'health_check' }, { timeoutMs: 10_000 }),
  );
  return finishRead(outcome, json, render);
}

export const registerHealth = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'health',
    'Run the health check: mpv process count, zone states, MQTT, memory',
    (a) =>
      a
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' })
        .example('mpvisor health', 'readable summary')
        .example('mpvisor health --json | jq .healthy', 'true when every zone is ready'),
    (a) => guard(() => health(a, a.json)),
  );
