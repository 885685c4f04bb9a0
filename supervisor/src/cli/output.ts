import type { CommandOutcome } from '@mpvisor/protocol';
import { EXIT } from './exit-codes.js';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

export const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
export const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));

/** Exit code of an outcome: success/warning 0, invalid 2 (the request itself was wrong), failed 1. */
export function outcomeExit(o: CommandOutcome): number {
  if (o.outcome === 'success' || o.outcome === 'warning') return EXIT.ok;
  return o.outcome === 'invalid' ? EXIT.usage : EXIT.failed;
}

/** "failed: message (error_type)" on stderr for failures, the outcome line on stdout otherwise. */
export function outcomeLine(o: CommandOutcome): string {
  return `${o.outcome}: ${o.message}${o.error_type ? ` (${o.error_type})` : ''}`;
}

/**
 * Shared tail of read verbs: with --json one JSON document (the result on success, the whole outcome
 * otherwise); without, the failure on stderr or `render` of the result.
 */
export function finishRead(o: CommandOutcome, json: boolean, render: (result: unknown) => string): number {
  const ok = o.outcome === 'success' || o.outcome === 'warning';
  if (json) printJson(ok ? o.result : o);
  else if (ok) out(render(o.result));
  else process.stderr.write(`mpvisor: ${o.command ?? 'command'} ${outcomeLine(o)}\n`);
  return outcomeExit(o);
}
