import type { ErrorType } from './errors.js';

export type OutcomeKind = 'success' | 'failed' | 'warning' | 'invalid';

/** The one terminal event every command gets, on the events topic of the zone or system that received it. */
export interface CommandOutcome {
  timestamp: string;
  type: 'command';
  command: string | null;
  id: string | null;
  zone: string | null;
  outcome: OutcomeKind;
  message: string;
  error_type: ErrorType | null;
  result: unknown;
  duration_ms: number;
  /** ParadoxFX's outcome fields: the command's arguments as validated (no `command`, no `id`)... */
  parameters: Record<string, unknown>;
  /** ...the error text of a failed or invalid outcome (null otherwise)... */
  error_message: string | null;
  /** ...and the category of a warning (null otherwise). */
  warning_type: string | null;
}

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
