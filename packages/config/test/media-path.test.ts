import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveMediaFile, resolveMediaPath } from '../src/index.js';

describe('resolveMediaPath (lexical)', () => {
  const base = '/srv/media/zone1';

  it.each([
    ['a.wav', '/srv/media/zone1/a.wav'],
    ['fx/boom.mp3', '/srv/media/zone1/fx/boom.mp3'],
    ['fx/../a.wav', '/srv/media/zone1/a.wav'],
    ['./a.wav', '/srv/media/zone1/a.wav'],
    ['..hidden.wav', '/srv/media/zone1/..hidden.wav'],
    ['/srv/media/zone1/b.wav', '/srv/media/zone1/b.wav'],
    // ParadoxFX's leading '/': inside the media folder, never the host's root.
    ['/intro.mp4', '/srv/media/zone1/intro.mp4'],
    ['/etc/passwd', '/srv/media/zone1/etc/passwd'],
    ['/srv/media/zone1-other/a.wav', '/srv/media/zone1/srv/media/zone1-other/a.wav'],
  ])('%s is inside', (requested, expected) => {
    expect(resolveMediaPath(base, requested)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['../zone2/a.wav', 'outside'],
    ['..', 'outside'],
    ['fx/../../zone2/a.wav', 'outside'],
    ['/../etc/passwd', 'outside'],
    ['/fx/../../zone2/a.wav', 'outside'],
    ['', 'empty'],
    ['   ', 'empty'],
    ['a\0.wav', 'invalid'],
  ])('%j is rejected as %s', (requested, reason) => {
    expect(resolveMediaPath(base, requested)).toEqual({ ok: false, reason });
  });

  it('rejects non-string input as invalid', () => {
    expect(resolveMediaPath(base, 42 as unknown as string)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('resolveMediaFile (realpath)', () => {
  let root: string;
  let media: string;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'mpvisor-media-')));
    media = path.join(root, 'media');
    await mkdir(path.join(media, 'fx'), { recursive: true });
    await mkdir(path.join(root, 'outside'));
    await writeFile(path.join(media, 'a.wav'), 'x');
    await writeFile(path.join(media, 'fx', 'b.wav'), 'x');
    await writeFile(path.join(root, 'outside', 'secret.wav'), 'x');
    await symlink(path.join(root, 'outside', 'secret.wav'), path.join(media, 'escape.wav'));
    await symlink('../outside', path.join(media, 'escape-dir'));
    await symlink('a.wav', path.join(media, 'alias.wav'));
    await symlink(media, path.join(root, 'media-link'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('accepts a file inside and returns its real path', async () => {
    expect(await resolveMediaFile(media, 'a.wav')).toEqual({ ok: true, path: path.join(media, 'a.wav') });
    expect(await resolveMediaFile(media, 'fx/b.wav')).toEqual({ ok: true, path: path.join(media, 'fx', 'b.wav') });
    expect(await resolveMediaFile(media, 'alias.wav')).toEqual({ ok: true, path: path.join(media, 'a.wav') });
  });

  it('works when the media folder itself is a symlink', async () => {
    expect(await resolveMediaFile(path.join(root, 'media-link'), 'fx/b.wav')).toEqual({
      ok: true,
      path: path.join(media, 'fx', 'b.wav'),
    });
  });

  it('rejects symlinks that escape the folder', async () => {
    expect(await resolveMediaFile(media, 'escape.wav')).toEqual({ ok: false, reason: 'outside' });
    expect(await resolveMediaFile(media, 'escape-dir/secret.wav')).toEqual({ ok: false, reason: 'outside' });
  });

  it('rejects .. outside before touching the disk; an absolute path outside is looked up inside the folder', async () => {
    expect(await resolveMediaFile(media, '../outside/secret.wav')).toEqual({ ok: false, reason: 'outside' });
    expect(await resolveMediaFile(media, '/../outside/secret.wav')).toEqual({ ok: false, reason: 'outside' });
    expect(await resolveMediaFile(media, path.join(root, 'outside', 'secret.wav'))).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('reports missing files, folders, and bad input', async () => {
    expect(await resolveMediaFile(media, 'nope.wav')).toEqual({ ok: false, reason: 'not_found' });
    expect(await resolveMediaFile(media, 'fx')).toEqual({ ok: false, reason: 'not_a_file' });
    expect(await resolveMediaFile(media, '')).toEqual({ ok: false, reason: 'invalid' });
    expect(await resolveMediaFile(media, 'a\0')).toEqual({ ok: false, reason: 'invalid' });
    expect(await resolveMediaFile(path.join(root, 'no-such-dir'), 'a.wav')).toEqual({ ok: false, reason: 'not_found' });
  });

  const runsAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (runsAsRoot ? it.skip : it)('reports unreadable files (skipped as root, who can read anything)', async () => {
    const file = path.join(media, 'locked.wav');
    await writeFile(file, 'x');
    await chmod(file, 0o000);
    expect(await resolveMediaFile(media, 'locked.wav')).toEqual({ ok: false, reason: 'not_readable' });
  });
});
