// Our five levels, in winston's convention (lower number = more severe), and their syslog priorities.

export const LEVELS = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 } as const;

export type LevelName = keyof typeof LEVELS;

/** journald reads a leading `<N>` as the syslog priority of the line (sd-daemon(3)). */
export const SYSLOG_PRIORITY: Record<LevelName, number> = { error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

// Names operators type in config files and environment variables, mapped to ours.
const ALIASES: Record<string, LevelName> = { warning: 'warn', err: 'error', silly: 'trace', verbose: 'debug' };

export function isLevelName(level: string): level is LevelName {
  return Object.hasOwn(LEVELS, level);
}

/** Accepts any case and a few common aliases; throws RangeError for anything else (a config bug). */
export function normalizeLevel(level: string): LevelName {
  const lower = level.toLowerCase();
  if (isLevelName(lower)) return lower;
  const alias = ALIASES[lower];
  if (alias) return alias;
  throw new RangeError(`unknown log level "${level}" (use error, warn, info, debug or trace)`);
}
