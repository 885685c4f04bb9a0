// The ledger file's one definition. Strict where a damaged file could make cleanup signal a wrong PID
// (pid, start time, socket paths, module indexes: any doubt makes the whole file corrupt); lenient,
// with a default, for what is only reported (times, run ids, zone names).
import { z } from 'zod';

const int = z.number().int();
const identitySchema = z.object({ pid: int, starttime: int });
const identityOrNull = identitySchema.nullable().catch(null);
const text = (fallback: string) => z.string().catch(fallback);

export const processEntrySchema = z.object({
  pid: int.gt(1),
  starttime: int,
  role: z.string(),
  zone: z.string().nullable().catch(null),
  /** mpv: its slot (background, speech, effect-1 ...); worker: "worker". */
  instance: z.string().nullable().catch(null),
  spawned_at: text(''),
  /** For an mpv: the worker that started it; an orphan is an mpv whose parent is no longer this process. */
  parent: identityOrNull,
  /** The supervisor run that recorded it. */
  run_id: text('unknown'),
});
export type ProcessEntry = z.infer<typeof processEntrySchema>;

export const socketEntrySchema = z.object({
  path: z.string().startsWith('/', 'is not an absolute socket path'),
  created_at: text(''),
  run_id: text('unknown'),
});
export type SocketEntry = z.infer<typeof socketEntrySchema>;

export const pulseModuleEntrySchema = z.object({
  module_index: int,
  sink_name: z.string(),
  tag: z.string(),
  created_at: text(''),
  run_id: text('unknown'),
});
export type PulseModuleEntry = z.infer<typeof pulseModuleEntrySchema>;

export const ledgerDataSchema = z.object({
  version: z.literal(1),
  /** The boot the process entries belong to; their (pid, starttime) means nothing in another boot. */
  boot_id: z.string().nullable().catch(null),
  run_id: z.string().nullable().catch(null),
  supervisor: identityOrNull,
  updated_at: text(''),
  processes: z.array(processEntrySchema),
  sockets: z.array(socketEntrySchema),
  // Files written before modules were recorded have none.
  pulse_modules: z.preprocess((v) => (Array.isArray(v) ? v : []), z.array(pulseModuleEntrySchema)),
});
export type LedgerData = z.infer<typeof ledgerDataSchema>;

/** Parses the file's text; throws naming the first entry that is not what it must be. */
export function parseLedger(raw: string): LedgerData {
  const r = ledgerDataSchema.safeParse(JSON.parse(raw));
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`${issue?.path.join('.') || 'ledger'}: ${issue?.message ?? 'not a version 1 ledger'}`);
}
