import type { z } from 'zod';
import { CommandError } from './errors.js';
import type { CommandSpec } from './command-spec.js';

/** Exact-name lookup over a list of specs, aliases included. Built once per topic kind. */
export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();

  constructor(readonly specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      for (const name of [spec.name, ...spec.aliases]) {
        if (this.byName.has(name)) throw new Error(`duplicate command name ${name}`);
        this.byName.set(name, spec);
      }
    }
  }

  lookup(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  /** Validate arguments; throws CommandError invalid_argument naming each bad field. */
  parseArgs(spec: CommandSpec, args: Record<string, unknown>): Record<string, unknown> {
    return parseWith(spec.name, spec.args, args);
  }
}

/** Parses a command's arguments; throws CommandError invalid_argument naming each bad field. */
export function parseWith<T>(command: string, schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new CommandError('invalid_argument', `${command}: ${formatIssues(result.error)}`, 'invalid');
  return result.data;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'arguments';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
