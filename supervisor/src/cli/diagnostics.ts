import type { Argv } from 'yargs';
import { finishRead } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';

/** Indented `key: value` lines for a nested result (diagnostics has no fixed shape worth a table). */
export function renderTree(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${indent}${String(value)}`;
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object') lines.push(`${indent}${k}:`, renderTree(v, `${indent}  `));
    else lines.push(`${indent}${k}: ${String(v)}`);
  }
  return lines.join('\n');
}

export async function diagnostics(flags: ConnectFlags, json: boolean): Promise<number> {
  const outcome = await withTransport(flags, (t) =>
    t.command({ kind: 'system' }, { command: 'diagnostics' }, { timeoutMs: 15_000 }),
  );
  return finishRead(outcome, json, (r) => renderTree(r));
}

export const registerDiagnostics = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'diagnostics',
    'Processes, socket inventory, audio devices, recent errors and resource usage',
    (a) =>
      a
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' })
        .example('mpvisor diagnostics --json > diag.json', 'attach to a bug report'),
    (a) => guard(() => diagnostics(a, a.json)),
  );
