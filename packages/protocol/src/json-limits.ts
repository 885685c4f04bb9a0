import { CommandError } from './errors.js';

/** A JSON object (not an array, not null): what every command payload is. */
export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PayloadLimits {
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: PayloadLimits = { maxBytes: 64 * 1024, maxDepth: 16 };

/**
 * Nesting depth of a JSON text, found by a linear scan that skips strings. Done before JSON.parse so a
 * hostile payload of 100,000 brackets costs one pass rather than a deep recursion.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Parse an MQTT payload into a plain object, or throw a CommandError saying exactly what is wrong. */
export function parseJsonObject(
  payload: Buffer | string,
  limits: PayloadLimits = DEFAULT_LIMITS,
): Record<string, unknown> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > limits.maxBytes) {
    throw new CommandError(
      'payload_too_large',
      `payload of ${size} bytes exceeds the limit of ${limits.maxBytes}`,
      'invalid',
    );
  }
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (text.trim() === '') throw new CommandError('invalid_json', 'empty payload: expected a JSON object', 'invalid');
  const depth = jsonDepth(text);
  if (depth > limits.maxDepth) {
    throw new CommandError(
      'too_deep',
      `payload nests ${depth} levels deep, the limit is ${limits.maxDepth}`,
      'invalid',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CommandError(
      'invalid_json',
      `payload is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      'invalid',
    );
  }
  if (!isJsonObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new CommandError('not_an_object', `payload must be a JSON object, got ${kind}`, 'invalid');
  }
  return value;
}
