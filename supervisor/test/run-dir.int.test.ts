import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startSupervisor, tempDir, testConfig } from '@mpvisor/testkit';

// A run directory that is a symlink (another local user could plant one in /tmp) stops the start
// with exit 2, before any socket, worker or broker connection exists.
describe('an unsafe run directory', () => {
  it('is refused with exit code 2 and a message that names the remedy; nothing is created in the target', async () => {
    const dir = tempDir('mpvrd');
    try {
      const target = join(dir.path, 'theirs');
      mkdirSync(target, { mode: 0o700 });
      symlinkSync(target, join(dir.path, 'run'));
      const sup = startSupervisor({ dir: dir.path, config: testConfig({ port: 1, mediaDir: dir.path, zones: ['z'] }) });
      expect(await sup.exited).toEqual({ code: 2, signal: null });
      expect(sup.output()).toMatch(
        /run directory .*\/run is a symbolic link: remove it, or choose another with --run-dir/,
      );
      expect(existsSync(join(target, 'control.sock'))).toBe(false);
      expect(sup.tree()).toEqual([]);
    } finally {
      dir.remove();
    }
  }, 30_000);
});
