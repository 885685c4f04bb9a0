import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '@mpvisor/testkit';
import { startHarness, zoneReady, type Harness } from './harness.js';

// The media-folder boundary end to end: MQTT command -> supervisor -> worker -> real mpv. A file inside
// the folder that refers outside it (a playlist disguised as a .wav, an EDL file) and URL-shaped names
// never make mpv read the outside file, whose access time is the witness (set older than its
// modification time, the relatime rule updates it on the first read).
const B = 'mpvcf';
const Z = 'room';
const OLD = new Date('2001-01-01T00:00:00Z');

describe('a zone cannot be made to play outside its media folder', () => {
  let h: Harness;
  let outside: string;
  const cmd = (body: object) => h.cmd(Z, body);
  const outsideRead = () => statSync(outside).atimeMs !== OLD.getTime();

  beforeAll(async () => {
    h = await startHarness({ base: B, zones: [Z] });
    const dir = join(h.media, '..', 'outside');
    mkdirSync(dir);
    outside = join(dir, 'secret.wav');
    copyFileSync(join(h.media, 'tone-220.wav'), outside);
    writeFileSync(join(h.media, 'song.wav'), `#EXTM3U\n${outside}\n`);
    writeFileSync(join(h.media, 'cut.edl'), `# mpv EDL v0\n${outside},0,1\n`);
    writeFileSync(join(h.media, 'list.m3u'), '#EXTM3U\n../outside/secret.wav\n');
    await zoneReady(h, B, Z);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  for (const file of ['song.wav', 'cut.edl', 'list.m3u']) {
    it(`${file}: the command fails and mpv never reads the outside file`, async () => {
      utimesSync(outside, OLD, new Date());
      const r = await cmd({ command: 'playBackground', file, loop: false });
      expect({ outcome: r.outcome, error_type: r.error_type }).toEqual({
        outcome: 'failed',
        error_type: 'media_error',
      });
      await sleep(500);
      expect(await h.prop(Z, 'background', 'idle-active')).toBe(true);
      expect(String(await h.prop(Z, 'background', 'path'))).not.toContain('outside');
      expect(outsideRead()).toBe(false);
    }, 30_000);
  }

  it('URL-shaped names are files inside the folder, never mpv protocols', async () => {
    utimesSync(outside, OLD, new Date());
    for (const file of [
      `edl://${outside}`,
      'av://lavfi:sine=frequency=440:duration=1',
      `memory://#EXTM3U\n${outside}`,
      'lavfi://sine',
      `file://${outside}`,
    ]) {
      const r = await cmd({ command: 'playSoundEffect', file });
      expect({ file, outcome: r.outcome, error_type: r.error_type }).toEqual({
        file,
        outcome: 'failed',
        error_type: 'file_not_found',
      });
    }
    // An absolute path is read inside the media folder, as ParadoxFX does with a leading `/`: not found there.
    expect(await cmd({ command: 'playSoundEffect', file: outside })).toMatchObject({
      outcome: 'failed',
      error_type: 'file_not_found',
    });
    expect(outsideRead()).toBe(false);
  }, 30_000);

  it('positive control: the witness does see a read of the outside file', async () => {
    utimesSync(outside, OLD, new Date());
    copyFileSync(outside, join(h.media, 'copy.wav'));
    expect(outsideRead()).toBe(true);
  });
});
