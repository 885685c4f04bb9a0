import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ERROR_TYPES, SYSTEM_COMMANDS, ZONE_COMMANDS } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/mqtt-api.md', import.meta.url), 'utf8');

/** The rows of the table under "## Error types": first cell is `code`. */
function documentedErrorTypes(): string[] {
  const start = doc.indexOf('\n## Error types');
  expect(start).toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 5);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
}

describe('docs/mqtt-api.md and the protocol registry agree', () => {
  it('every error_type of the catalog is documented, and the doc lists no other', () => {
    const documented = documentedErrorTypes();
    expect([...documented].sort()).toEqual(Object.keys(ERROR_TYPES).sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('every command name and alias appears in the doc', () => {
    const names = [...ZONE_COMMANDS, ...SYSTEM_COMMANDS].flatMap((s) => [s.name, ...s.aliases]);
    const missing = names.filter((n) => !doc.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('every command has a one-line description', () => {
    for (const s of [...ZONE_COMMANDS, ...SYSTEM_COMMANDS]) {
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.description).not.toContain('\n');
    }
  });
});
