import { z } from 'zod';
import { EXIT } from './exit-codes.js';
import { outcomeExit, outcomeLine, printJson } from './output.js';
import { withTransport, type ConnectFlags } from './transport.js';

export interface StreamedCommand {
  payload: Record<string, unknown>;
  timeoutMs: number;
  json: boolean;
  /** The `type` of the progress events to print (system_reset_status, system_reload_status). */
  statusType: string;
  /** The word each progress line and an error line start with. */
  label: string;
}

/** A reset's or a reload's progress event, as much of it as the line shows. */
const phaseEventSchema = z.object({
  type: z.string(),
  phase: z.string().optional(),
  progress: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(z.string()).optional(),
  duration_ms: z.number().optional(),
});

/** One progress event as a terminal line: `LABEL PHASE  key=value ...  N ms errors: ...`. */
export function phaseLine(ev: unknown, statusType: string, label: string): string | null {
  const parsed = phaseEventSchema.safeParse(ev);
  if (!parsed.success || parsed.data.type !== statusType) return null;
  const e = parsed.data;
  const progress = Object.entries(e.progress ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const duration = e.duration_ms !== undefined ? `  ${e.duration_ms} ms` : '';
  const errors = e.errors?.length ? ` errors: ${e.errors.join('; ')}` : '';
  return `${label} ${e.phase ?? '?'}${progress ? `  ${progress}` : ''}${duration}${errors}`;
}

/** A system command whose phases stream to the terminal as they come, then its one outcome and exit code. */
export async function runStreamed(flags: ConnectFlags, c: StreamedCommand): Promise<number> {
  const outcome = await withTransport(flags, (t) =>
    t.command({ kind: 'system' }, c.payload, {
      timeoutMs: c.timeoutMs,
      onProgress: (ev) => {
        const line = phaseLine(ev, c.statusType, c.label);
        if (line && !c.json) process.stdout.write(`${line}\n`);
      },
    }),
  );
  if (c.json) printJson(outcome);
  else {
    const line = outcomeLine(outcome);
    if (outcomeExit(outcome) === EXIT.ok) process.stdout.write(`${line}\n`);
    else process.stderr.write(`mpvisor: ${c.label} ${line}\n`);
  }
  return outcomeExit(outcome);
}
