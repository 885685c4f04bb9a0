import type { z } from 'zod';
import type { ZoneKind } from './zone-state.js';

export interface CommandSpec {
  name: string;
  aliases: readonly string[];
  description: string;
  /** Every command's arguments are an object (ParadoxFX's flat JSON payload without `command` and `id`). */
  args: z.ZodType<Record<string, unknown>>;
  /** Zone commands run in the worker unless the supervisor owns them (reset, restart, status...). */
  handledBy: 'worker' | 'supervisor';
  /** Limits a command to some zone kinds (screen commands). Absent: every kind. */
  kinds?: readonly ZoneKind[];
  /** A longer bound than the default for commands that wait on a slow program (a browser's first window). */
  timeoutMs?: number;
  /** The arguments holding media paths, checked against the zone's media folder at the edge. */
  mediaArgs?: readonly string[];
}

export const SCREEN = ['screen'] as const;

/** What a spec may add to its description and schema. */
interface SpecOptions {
  aliases?: readonly string[];
  timeoutMs?: number;
  mediaArgs?: readonly string[];
}

/** A spec builder for commands run by one side. */
const specOf =
  <H extends CommandSpec['handledBy']>(handledBy: H) =>
  <A extends z.ZodType<Record<string, unknown>>>(description: string, args: A, options: SpecOptions = {}) => ({
    ...options,
    description,
    args,
    handledBy,
  });

/** A zone command the worker runs, on every zone kind. */
export const workerSpec = specOf('worker');

/** A command the supervisor answers itself. */
export const supervisorSpec = specOf('supervisor');

/** A zone command the worker runs on screen zones only. */
export const screenSpec = <A extends z.ZodType<Record<string, unknown>>>(
  description: string,
  args: A,
  options: SpecOptions = {},
) => ({ ...workerSpec(description, args, options), kinds: SCREEN });

/** A spec keyed by its name in a registry object. */
export type NamedSpecs = Record<string, Omit<CommandSpec, 'name' | 'aliases'> & { aliases?: readonly string[] }>;

/** The registry object as the list the command tables, help and docs read. */
export const specList = (specs: NamedSpecs): CommandSpec[] =>
  Object.entries(specs).map(([name, spec]) => ({ aliases: [], ...spec, name }));
