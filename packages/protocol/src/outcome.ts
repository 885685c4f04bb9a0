import { z } from 'zod';
import { errorTypeSchema } from './errors.js';
import type { ErrorType } from './errors.js';

export const OUTCOME_KINDS = ['success', 'failed', 'warning', 'invalid'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** The one terminal event every command gets, on the events topic of the zone or system that received it. */
export const commandOutcomeSchema = z.object({
  timestamp: z.string(),
  type: z.literal('command'),
  command: z.string().nullable(),
  id: z.string().nullable(),
  zone: z.string().nullable(),
  outcome: z.enum(OUTCOME_KINDS),
  message: z.string(),
  error_type: errorTypeSchema.nullable(),
  result: z.unknown(),
  duration_ms: z.number(),
  /** ParadoxFX's outcome fields: the command's arguments as validated (no `command`, no `id`)... */
  parameters: z.record(z.string(), z.unknown()),
  /** ...the error text of a failed or invalid outcome (null otherwise)... */
  error_message: z.string().nullable(),
  /** ...and the category of a warning (null otherwise). */
  warning_type: z.string().nullable(),
});
export type CommandOutcome = z.infer<typeof commandOutcomeSchema>;

/** What a handler returns; the dispatcher adds timestamp, command, id, zone and duration. */
export interface HandlerResult {
  outcome: OutcomeKind;
  message: string;
  error_type?: ErrorType | null;
  result?: unknown;
  /** ParadoxFX's category of a warning (`clamp_ducking_adjust_high`, ...); defaults to the error_type, else `warning`. */
  warning_type?: string;
}

export const success = (message: string, result?: unknown): HandlerResult => ({ outcome: 'success', message, result });
export const warning = (message: string, result?: unknown, error_type: ErrorType | null = null): HandlerResult => ({
  outcome: 'warning',
  message,
  result,
  error_type,
});
export const failed = (error_type: ErrorType, message: string, result?: unknown): HandlerResult => ({
  outcome: 'failed',
  message,
  error_type,
  result,
});
