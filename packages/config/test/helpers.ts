// Shared by the config tests (not a test file itself).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../src/index.js';
import type { ConfigProblem, ParseOptions } from '../src/index.js';

/** The ParadoxFX corpus kept in the project (MPVISOR_PFX_FIXTURES points at another copy). */
export function fixturesDir(): string {
  const dir = process.env.MPVISOR_PFX_FIXTURES ?? fileURLToPath(new URL('./fixtures/pfx-configs/', import.meta.url));
  if (!existsSync(dir)) throw new Error(`ParadoxFX fixtures not found at ${dir}`);
  return dir;
}

/** Joins lines into an INI text; line N of the result is lines[N-1]. */
export function ini(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in text`);
  return i + 1;
}

export function parse(text: string, opts: ParseOptions = {}) {
  return parseConfigText(text, { env: {}, ...opts });
}

export function errors(text: string, opts: ParseOptions = {}): ConfigProblem[] {
  return parse(text, opts).problems.filter((p) => p.severity === 'error');
}

export function warnings(text: string, opts: ParseOptions = {}): ConfigProblem[] {
  return parse(text, opts).problems.filter((p) => p.severity === 'warning');
}

/** Parses text that must be valid and returns the config. */
export function ok(text: string, opts: ParseOptions = {}) {
  const r = parse(text, opts);
  if (!r.config) throw new Error(`expected a valid config, got:\n${JSON.stringify(r.problems, null, 2)}`);
  return r.config;
}
