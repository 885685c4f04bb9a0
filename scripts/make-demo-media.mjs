#!/usr/bin/env node
// Writes the demo media the docs/examples configs play: the WAV tones from @mpvisor/config, plus a
// short test video and a still image rendered by mpv's own encoder (no ffmpeg needed).
// Usage: node scripts/make-demo-media.mjs [DIR]   (default: ./demo-media; build first: npx tsc -b)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDemoMedia } from '../packages/config/dist/index.js';

const dir = resolve(process.argv[2] ?? 'demo-media');
mkdirSync(dir, { recursive: true });
const written = await ensureDemoMedia(dir);

const mpv = (args) =>
  execFileSync('mpv', ['--no-config', '--really-quiet', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 60_000,
  });
const video = join(dir, 'testcard.mkv');
if (!existsSync(video)) {
  // 3 s of colour bars with a 500 Hz tone, so a screen test can hear and see it.
  mpv([
    'av://lavfi:testsrc=duration=3:size=320x240:rate=25',
    '--audio-file=av://lavfi:sine=frequency=500:duration=3',
    `--o=${video}`,
  ]);
}
const image = join(dir, 'still.png');
if (!existsSync(image))
  mpv(['av://lavfi:testsrc=size=320x240', '--frames=1', '--of=image2', '--ovc=png', `--o=${image}`]);
for (const f of [...written, video, image]) console.log(f);
