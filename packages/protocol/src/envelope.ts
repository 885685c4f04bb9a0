import { CommandError } from './errors.js';
import { DEFAULT_LIMITS, parseJsonObject, type PayloadLimits } from './json-limits.js';

/** A command as received, before its arguments are validated against the command's schema. */
export interface CommandEnvelope {
  command: string;
  id: string | null;
  /** Argument keys with ParadoxFX's capitalised spellings folded (`Audio` -> `audio`). */
  args: Record<string, unknown>;
}

export const MAX_ID_LENGTH = 64;

const ENVELOPE_KEYS = new Set(['command', 'id']);

/** ParadoxFX clients send `Command`, `Volume`, `FadeTime`: fold the first letter so one schema fits both. */
export function foldKey(key: string): string {
  return key.length > 0 ? key[0]!.toLowerCase() + key.slice(1) : key;
}

/** The caller id, read leniently so that even an invalid command can echo it in its outcome. */
export function peekId(obj: Record<string, unknown>): string | null {
  const id = obj.id ?? obj.Id ?? obj.ID;
  return typeof id === 'string' && id.length <= MAX_ID_LENGTH ? id : null;
}

export function peekCommand(obj: Record<string, unknown>): string | null {
  const c = obj.command ?? obj.Command;
  return typeof c === 'string' ? c : null;
}

export function toEnvelope(obj: Record<string, unknown>): CommandEnvelope {
  const rawId = obj.id ?? obj.Id ?? obj.ID;
  if (rawId !== undefined && rawId !== null && (typeof rawId !== 'string' || rawId.length > MAX_ID_LENGTH)) {
    throw new CommandError('invalid_id', `id must be a string of at most ${MAX_ID_LENGTH} characters`, 'invalid');
  }
  const command = obj.command ?? obj.Command;
  if (command === undefined || command === null) {
    throw new CommandError('missing_command', 'payload has no "command" field', 'invalid');
  }
  if (typeof command !== 'string' || command.trim() === '') {
    throw new CommandError('missing_command', '"command" must be a non-empty string', 'invalid');
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const folded = foldKey(key);
    if (ENVELOPE_KEYS.has(folded) || key === 'ID') continue;
    args[folded] = value;
  }
  return { command: command.trim(), id: typeof rawId === 'string' ? rawId : null, args };
}

/** Parse and check an MQTT command payload. Throws CommandError (outcome `invalid`) on any problem. */
export function parseCommandPayload(payload: Buffer | string, limits: PayloadLimits = DEFAULT_LIMITS): CommandEnvelope {
  return toEnvelope(parseJsonObject(payload, limits));
}
