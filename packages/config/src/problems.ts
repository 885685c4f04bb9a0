import type { ConfigProblem, Severity } from './types.js';

/** "section.key (line N): message" – the one spelling used by ConfigError and `config check`. */
export function formatLocation(p: Pick<ConfigProblem, 'section' | 'key' | 'line'>): string {
  const where = [p.section ? p.section : '', p.key ?? ''].filter((s) => s !== '').join('.');
  const line = p.line !== undefined ? `(line ${p.line})` : '';
  return [where, line].filter((s) => s !== '').join(' ');
}

function withoutSeverity(p: ConfigProblem): string {
  const loc = formatLocation(p);
  return loc ? `${loc}: ${p.message}` : p.message;
}

/** One line per problem, severity first: `error: audio:lobby.volume (line 12): ...`. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.severity}: ${withoutSeverity(p)}`;
}

export class ConfigError extends Error {
  /** Every problem found, warnings included, sorted by line. */
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], source?: string) {
    const errors = problems.filter((p) => p.severity === 'error');
    const head = `invalid configuration${source ? ` in ${source}` : ''}: ${errors.length} error${errors.length === 1 ? '' : 's'}`;
    super([head, ...errors.map((p) => `  ${withoutSeverity(p)}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Collects problems while the loader keeps going, so that every error is reported at once. */
export class Problems {
  private readonly items: ConfigProblem[] = [];

  add(severity: Severity, section: string, key: string | undefined, line: number | undefined, message: string): void {
    const p: ConfigProblem = { severity, section, message };
    if (key !== undefined) p.key = key;
    if (line !== undefined) p.line = line;
    this.items.push(p);
  }

  error(section: string, key: string | undefined, line: number | undefined, message: string): void {
    this.add('error', section, key, line, message);
  }

  warn(section: string, key: string | undefined, line: number | undefined, message: string): void {
    this.add('warning', section, key, line, message);
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }

  /** Sorted by line (stable), file-level problems first, so output reads top to bottom. */
  sorted(): ConfigProblem[] {
    return this.items
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
      .map(({ p }) => p);
  }
}
