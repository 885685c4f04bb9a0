// The run directory, on a real file system: created private, and refused when another local user
// could have prepared it (a symlink, someone else's folder, a folder others can enter).
import { afterEach, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRunDir, prepareRunDir, RunDirError, sharedTmpRunDir } from '../src/paths.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'mpvisor-paths-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const uid = process.getuid?.() ?? 0;

describe('defaultRunDir', () => {
  it("prefers the configured folder, then systemd's RuntimeDirectory, then the session's runtime folder", () => {
    expect(defaultRunDir({ MPVISOR_RUN_DIR: '/srv/run', RUNTIME_DIRECTORY: '/run/mpvisor' })).toBe('/srv/run');
    expect(defaultRunDir({ RUNTIME_DIRECTORY: '/run/x:/run/y', XDG_RUNTIME_DIR: '/run/user/5' })).toBe('/run/x');
    if (uid !== 0) {
      expect(defaultRunDir({ XDG_RUNTIME_DIR: '/run/user/5' })).toBe('/run/user/5/mpvisor');
      expect(defaultRunDir({})).toBe(sharedTmpRunDir());
    }
  });
});

describe('prepareRunDir', () => {
  it('creates a missing folder with mode 0700, owned by us', async () => {
    const dir = join(tmp(), 'a', 'run');
    await prepareRunDir(dir);
    const st = lstatSync(dir);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(uid);
    await prepareRunDir(dir);
  });

  it('refuses a symlink, even to a private folder of ours, and a file', async () => {
    const base = tmp();
    const target = join(base, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, join(base, 'run'));
    await expect(prepareRunDir(join(base, 'run'), true)).rejects.toThrow(/is a symbolic link.*--run-dir/);
    await expect(prepareRunDir(join(base, 'run'), false)).rejects.toBeInstanceOf(RunDirError);
    writeFileSync(join(base, 'file'), '');
    await expect(prepareRunDir(join(base, 'file'))).rejects.toThrow('is not a directory');
  });

  it('refuses a folder that belongs to another user, and leaves it as it was', async () => {
    if (uid !== 0) return; // only root can hand a folder to another user
    const dir = join(tmp(), 'run');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    chownSync(dir, 65534, 65534);
    await expect(prepareRunDir(dir, true)).rejects.toThrow('belongs to uid 65534');
    await expect(prepareRunDir(dir, false)).rejects.toThrow('belongs to uid 65534');
    expect(lstatSync(dir).mode & 0o777).toBe(0o777);
  });

  it('in /tmp a folder of ours that others could enter is refused; a configured one is tightened', async () => {
    const shared = join(tmp(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    await expect(prepareRunDir(shared, true)).rejects.toThrow('has mode 755, not 700');
    const configured = join(tmp(), 'configured');
    mkdirSync(configured);
    chmodSync(configured, 0o755);
    await prepareRunDir(configured, false);
    expect(lstatSync(configured).mode & 0o777).toBe(0o700);
  });
});
