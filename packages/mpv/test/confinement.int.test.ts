// Real mpv 0.35: files inside a media folder that refer to a file outside it (playlists, EDL, CUE,
// HLS, files disguised by their extension) end with an error and never read the outside file.
// The outside file's access time is the witness: set older than its modification time, the
// relatime mount rule updates it on the first read, by anyone (the positive control shows it does).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnMpv, type MpvEndFileEvent, type MpvProcess } from '../src/index.js';

const OLD = new Date('2001-01-01T00:00:00Z');

/** A valid 0.3 s mono 8 kHz 16-bit WAV with a 440 Hz tone. */
function toneWav(): Buffer {
  const samples = 2400;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  return wav;
}

let root: string;
let media: string;
let outside: string;
const started: MpvProcess[] = [];

/** Files inside the media folder, each pointing at `outside` in the way its format allows. */
function referringFiles(target: string): Record<string, string> {
  return {
    'playlist.m3u': `#EXTM3U\n${target}\n`,
    'relative.m3u': '#EXTM3U\n../outside/target.wav\n',
    'song.wav': `#EXTM3U\n#EXTINF:1,tone\n${target}\n`,
    'playlist.pls.ogg': `[playlist]\nFile1=${target}\nNumberOfEntries=1\n`,
    'cut.edl': `# mpv EDL v0\n${target},0,0.2\n`,
    'effect.mp3': `# mpv EDL v0\n${target}\n`,
    'sheet.wav': `FILE "${target}" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n`,
    'stream.flac': `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:0.3,\n${target}\n#EXT-X-ENDLIST\n`,
    'concat.wav': `ffconcat version 1.0\nfile ${target}\n`,
  };
}

async function setWitness(): Promise<void> {
  await utimes(outside, OLD, new Date());
}

async function outsideWasRead(): Promise<boolean> {
  return (await stat(outside)).atimeMs !== OLD.getTime();
}

interface Played {
  end: MpvEndFileEvent;
  paths: unknown[];
  playlists: unknown[];
  starts: number;
  lines: string[];
}

async function play(file: string): Promise<Played> {
  const lines: string[] = [];
  const mpv = await spawnMpv({ role: 'test', audioOutput: { ao: 'null' }, onStderrLine: (line) => lines.push(line) });
  started.push(mpv);
  const paths: unknown[] = [];
  const playlists: unknown[] = [];
  let starts = 0;
  mpv.client.on('start-file', () => {
    starts += 1;
  });
  await mpv.client.observeProperty('path', (v) => paths.push(v));
  await mpv.client.observeProperty('playlist', (v) => playlists.push(v));
  // A playlist that was followed ends its own entry with 'redirect' and starts the next: wait for idle.
  const ends: MpvEndFileEvent[] = [];
  mpv.client.on('end-file', (e) => ends.push(e));
  const idle = new Promise<void>((resolve) => {
    void mpv.client.observeProperty<boolean>('idle-active', (v) => {
      if (v === true && ends.length > 0) resolve();
    });
  });
  await mpv.client.loadfile(file);
  await idle;
  await mpv.stop(2000);
  return { end: ends[ends.length - 1]!, paths, playlists, starts, lines };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mpvisor-confine-'));
  media = join(root, 'media');
  await mkdir(media);
  await mkdir(join(root, 'outside'));
  outside = join(root, 'outside', 'target.wav');
  await writeFile(outside, toneWav());
  for (const [name, text] of Object.entries(referringFiles(outside))) await writeFile(join(media, name), text);
});

afterEach(async () => {
  for (const mpv of started.splice(0)) await mpv.stop(1000);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mpv stays inside the media folder', () => {
  it('positive control: playing the outside file itself reads it, and the witness shows it', async () => {
    await setWitness();
    const r = await play(outside);
    expect(r.end.reason).toBe('eof');
    expect(r.paths).toContain(outside);
    expect(await outsideWasRead()).toBe(true);
  });

  for (const name of Object.keys(referringFiles('/x'))) {
    it(`${name} ends with an error and never opens the outside file`, async () => {
      await setWitness();
      const file = join(media, name);
      const r = await play(file);
      expect(r.end.reason).toBe('error');
      expect(r.starts).toBe(1);
      expect(r.paths.filter((p) => typeof p === 'string')).toEqual([file]);
      expect(JSON.stringify(r.playlists)).not.toContain('outside');
      expect(await outsideWasRead()).toBe(false);
    });
  }

  it('an SDP file does not make FFmpeg listen for RTP', async () => {
    const sdp = join(media, 'tone.ogg');
    await writeFile(sdp, 'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 5004 RTP/AVP 0\n');
    const r = await play(sdp);
    expect(r.end.reason).toBe('error');
    expect(r.lines.join('\n')).toContain("Protocol 'rtp' not on whitelist");
  });
});
