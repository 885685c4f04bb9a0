import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAtomicTempOf, writeFileAtomic } from '../src/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mpvisor-sys-'));

describe('writeFileAtomic', () => {
  it('replaces the content, 0600 by default, and leaves no temp file', async () => {
    const dir = tmp();
    const file = join(dir, 'state.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('honours the mode and writes bytes', async () => {
    const file = join(tmp(), 'a.wav');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]), { mode: 0o644 });
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('keeps the old content and removes the temp file when the write fails before the rename', async () => {
    const dir = tmp();
    const file = join(dir, 'ledger.json');
    writeFileSync(file, 'old');
    const failing = writeFileAtomic(file, 'new', {
      beforeRename: () => {
        throw new Error('disk gone');
      },
    });
    await expect(failing).rejects.toThrow('disk gone');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['ledger.json']);
  });

  it('names its temp files so a later start can recognise them', async () => {
    const names: string[] = [];
    const file = join(tmp(), 'ledger.json');
    await writeFileAtomic(file, 'x', { beforeRename: (t) => void names.push(t) });
    const base = names[0]!.split('/').pop()!;
    expect(isAtomicTempOf('ledger.json', base)).toBe(true);
    expect(isAtomicTempOf('ledger.json', 'ledger.json.bak')).toBe(false);
    expect(isAtomicTempOf('zones.json', base)).toBe(false);
  });
});
