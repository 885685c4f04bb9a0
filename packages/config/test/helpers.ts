// Shared by the config tests (not a test file itself).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../src/index.js';
import type { ConfigProblem, ParseOptions } from '../src/index.js';

/** The ParadoxFX corpus, found whether jest runs from the repo root or from this package. */
export function fixturesDir(): string {
  const candidates = [
    process.env.MPVISOR_PFX_FIXTURES,
    path.resolve(process.cwd(), '../shared/fixtures/pfx-configs'),
    path.resolve(process.cwd(), '../../../shared/fixtures/pfx-configs'),
    fileURLToPath(new URL('../../../../shared/fixtures/pfx-configs/', import.meta.url)),
  ];
  const found = candidates.find((c): c is string => c !== undefined && existsSync(c));
  if (!found) throw new Error(`ParadoxFX fixtures not found; tried ${candidates.filter(Boolean).join(', ')}`);
  return found;
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
