import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_SAMPLE_RATE, demoConfig, ensureDemoMedia } from '../src/index.js';

describe('demoConfig', () => {
  it('is an embedded broker with two audio zones on the given folder', () => {
    const c = demoConfig({ mediaDir: '/tmp/mpvisor-demo' });
    expect(c.source).toBeNull();
    expect(c.problems).toEqual([]);
    expect(c.mqtt).toMatchObject({
      embedded: true,
      broker: '127.0.0.1',
      port: 1883,
      url: 'mqtt://127.0.0.1:1883',
      base_topic: 'mpvisor',
      device_name: 'demo',
      protocol_version: 4,
    });
    expect(c.global.media_base_path).toBe('/tmp/mpvisor-demo');
    expect(c.system.topic).toBe('mpvisor/system');
    expect(c.zones.map((z) => [z.name, z.kind, z.topic, z.media_dir, z.enabled])).toEqual([
      ['lobby', 'audio', 'mpvisor/lobby', '/tmp/mpvisor-demo', true],
      ['vault', 'audio', 'mpvisor/vault', '/tmp/mpvisor-demo', true],
    ]);
    expect(Object.isFrozen(c.zones[1])).toBe(true);
  });

  it('copes with folder names that would break an INI line', () => {
    const dir = '/tmp/odd # name ; ${HOME} "q"';
    const c = demoConfig({ mediaDir: dir });
    expect(c.global.media_base_path).toBe(dir);
    expect(c.zones[0]?.media_dir).toBe(dir);
  });
});

describe('ensureDemoMedia', () => {
  let dir: string;
  let files: string[];

  // Generating ~2 MB of WAV in plain JS takes ~0.3 s on a quiet machine, many times that on a busy one.
  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'mpvisor-demo-')), 'media');
    files = await ensureDemoMedia(dir);
  }, 30_000);

  afterAll(async () => {
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('writes the tones, the chime and the speech sample', () => {
    expect(files.map((f) => path.basename(f))).toEqual([
      'tone-220.wav',
      'tone-330.wav',
      'tone-440.wav',
      'chime.wav',
      'speech-1.wav',
    ]);
    expect(files.every((f) => path.dirname(f) === dir)).toBe(true);
  });

  it.each([
    ['tone-220.wav', 10],
    ['tone-440.wav', 10],
    ['chime.wav', 0.3],
    ['speech-1.wav', 1.5],
  ])('%s is a valid 16-bit mono PCM WAV of %s s', async (name, seconds) => {
    const buf = await readFile(path.join(dir, name));
    const dataBytes = Math.round(seconds * DEMO_SAMPLE_RATE) * 2;
    expect(buf.length).toBe(44 + dataBytes);
    expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
    expect(buf.readUInt32LE(4)).toBe(buf.length - 8);
    expect(buf.toString('ascii', 8, 12)).toBe('WAVE');
    expect(buf.toString('ascii', 12, 16)).toBe('fmt ');
    expect(buf.readUInt32LE(16)).toBe(16);
    expect(buf.readUInt16LE(20)).toBe(1); // PCM
    expect(buf.readUInt16LE(22)).toBe(1); // mono
    expect(buf.readUInt32LE(24)).toBe(DEMO_SAMPLE_RATE);
    expect(buf.readUInt32LE(28)).toBe(DEMO_SAMPLE_RATE * 2);
    expect(buf.readUInt16LE(32)).toBe(2);
    expect(buf.readUInt16LE(34)).toBe(16);
    expect(buf.toString('ascii', 36, 40)).toBe('data');
    expect(buf.readUInt32LE(40)).toBe(dataBytes);
    let peak = 0;
    for (let i = 44; i < buf.length; i += 2) peak = Math.max(peak, Math.abs(buf.readInt16LE(i)));
    expect(peak).toBeGreaterThan(3000); // audible
    expect(peak).toBeLessThan(32767); // not clipped
  });

  it('loops seamlessly: the tone ends where it starts', async () => {
    const buf = await readFile(path.join(dir, 'tone-220.wav'));
    const first = buf.readInt16LE(44);
    const last = buf.readInt16LE(buf.length - 2);
    expect(first).toBe(0);
    expect(Math.abs(last - first)).toBeLessThan(700); // one sample step of a 220 Hz sine at 22050 Hz
  });

  it('is idempotent and repairs damaged files', async () => {
    const tone = path.join(dir, 'tone-330.wav');
    const before = await stat(tone);
    expect(await ensureDemoMedia(dir)).toEqual(files);
    expect((await stat(tone)).mtimeMs).toBe(before.mtimeMs);

    await writeFile(tone, 'broken');
    await ensureDemoMedia(dir);
    expect((await readFile(tone)).toString('ascii', 0, 4)).toBe('RIFF');
    expect((await stat(tone)).size).toBe(before.size);
  }, 30_000);
});
