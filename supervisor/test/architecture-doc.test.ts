import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SKIP = new Set(['node_modules', 'dist', '.git']);

/** Every file and folder of the source tree, as paths relative to the repository. */
function tree(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    out.push(`${relative(ROOT, path)}${entry.isDirectory() ? '/' : ''}`);
    if (entry.isDirectory()) tree(path, out);
  }
  return out;
}

/**
 * The inline code spans of the page that name source files or folders: `zones/zone-runner.ts`,
 * `reload/*`, `handlers/*.ts`, `packages/sys`. Module names in the tables are relative to their
 * program's src folder, so a name counts as present when some path of the tree ends with it.
 */
function namedPaths(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1] ?? '');
  return spans.filter((s) => /^[\w.*/-]+$/.test(s) && (/\.(ts|mjs|js)$/.test(s) || s.includes('/')));
}

function exists(name: string, paths: readonly string[]): boolean {
  const pattern = name
    .replace(/\/$/, '')
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  const re = new RegExp(`(^|/)${pattern}/?$`);
  return paths.some((p) => re.test(p));
}

describe('docs/architecture.md', () => {
  it('names no source file or folder that does not exist', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const paths = tree(ROOT);
    const named = namedPaths(doc);
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((n) => !exists(n, paths))).toEqual([]);
  });
});
