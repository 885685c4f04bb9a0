import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret for one worker spawn: the hello must echo it, since any process can name a pid. */
export const newWorkerToken = (): string => randomBytes(16).toString('hex');

/** Constant-time comparison, so a wrong guess learns nothing from how long the refusal took. */
export function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
