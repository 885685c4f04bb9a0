// The built-in demo: what `mpvisor run` uses without --config, so a fresh machine with only
// mpv installed can play something. It is written as INI and read by the normal loader, so the
// demo gets exactly the same defaults and checks as a user's file.
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@mpvisor/sys';
import path from 'node:path';
import { parseConfigText } from './parse-config.js';
import { ConfigError } from './problems.js';
import type { MpvisorConfig } from './types.js';
import { babble, chime, encodeWav, loopTone } from './wav.js';

export const DEMO_SAMPLE_RATE = 22050;

const DEMO_INI = `
[mqtt]
broker = embedded
port = 1883
base_topic = mpvisor
device_name = demo
client_id = mpvisor-demo

[global]
log_level = info
# Passed through the environment so that no character of the folder name can break the INI.
media_base_path = \${MPVISOR_DEMO_MEDIA_DIR}
heartbeat_interval = 10000
audio_fallback = null

[system:main]

[audio:lobby]
topic = mpvisor/lobby
media_dir =
background_volume = 60
speech_volume = 100
effects_volume = 90

[audio:vault]
topic = mpvisor/vault
media_dir =
background_volume = 60
speech_volume = 100
effects_volume = 90
`;

export function demoConfig(opts: { mediaDir: string }): MpvisorConfig {
  const mediaDir = path.resolve(opts.mediaDir);
  const { config, problems } = parseConfigText(DEMO_INI, { env: { MPVISOR_DEMO_MEDIA_DIR: mediaDir } });
  // Only a bad mediaDir (e.g. a NUL byte) can get here; the text itself is fixed.
  if (!config) throw new ConfigError(problems, 'the built-in demo configuration');
  return config; // source is already null: no sourceName was given
}

interface DemoSound {
  file: string;
  make: () => Float32Array;
}

const SOUNDS: readonly DemoSound[] = [
  { file: 'tone-220.wav', make: () => loopTone(220, 10, DEMO_SAMPLE_RATE) },
  { file: 'tone-330.wav', make: () => loopTone(330, 10, DEMO_SAMPLE_RATE) },
  { file: 'tone-440.wav', make: () => loopTone(440, 10, DEMO_SAMPLE_RATE) },
  { file: 'chime.wav', make: () => chime(0.3, DEMO_SAMPLE_RATE) },
  { file: 'speech-1.wav', make: () => babble(1.5, DEMO_SAMPLE_RATE) },
];

async function sameContent(file: string, want: Buffer): Promise<boolean> {
  try {
    return (await readFile(file)).equals(want);
  } catch {
    return false;
  }
}

/**
 * Writes the demo sounds into `dir` (created if needed) and returns their absolute paths.
 * Files already correct are left alone; others are replaced through a temporary file and a
 * rename, so a player never opens a half-written file.
 */
export async function ensureDemoMedia(dir: string): Promise<string[]> {
  const abs = path.resolve(dir);
  await mkdir(abs, { recursive: true });
  const paths: string[] = [];
  for (const sound of SOUNDS) {
    const target = path.join(abs, sound.file);
    const bytes = encodeWav(sound.make(), DEMO_SAMPLE_RATE);
    if (!(await sameContent(target, bytes))) {
      await writeFileAtomic(target, bytes, { mode: 0o644, durable: false });
    }
    paths.push(target);
  }
  return paths;
}
