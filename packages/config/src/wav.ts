// Minimal WAV writer (RIFF, PCM 16-bit, mono) so the demo needs no media files and no tools.

export const WAV_HEADER_BYTES = 44;

/** Encodes samples in -1..1 as a 16-bit PCM mono WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    buf.writeInt16LE(Math.round(s * 32767), WAV_HEADER_BYTES + i * 2);
  }
  return buf;
}

/** Samples of `fn(t)` for `seconds` at `sampleRate`. */
export function synth(seconds: number, sampleRate: number, fn: (t: number) => number): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fn(i / sampleRate);
  return out;
}

/**
 * A pure sine for looping: with a whole number of cycles in the file, the last sample leads
 * smoothly into the first, so `--loop-file=inf` plays without a click.
 */
export function loopTone(freq: number, seconds: number, sampleRate: number, amplitude = 0.3): Float32Array {
  return synth(seconds, sampleRate, (t) => amplitude * Math.sin(2 * Math.PI * freq * t));
}

/** A short bell-like ping with a 5 ms attack (no click) and exponential decay. */
export function chime(seconds: number, sampleRate: number): Float32Array {
  return synth(seconds, sampleRate, (t) => {
    const attack = Math.min(1, t / 0.005);
    const env = attack * Math.exp(-t * 10);
    return 0.45 * env * (Math.sin(2 * Math.PI * 880 * t) + 0.5 * Math.sin(2 * Math.PI * 1320 * t));
  });
}

/** Something speech-like in rhythm (syllables at ~4 Hz) so ducking is audible in the demo. */
export function babble(seconds: number, sampleRate: number): Float32Array {
  return synth(seconds, sampleRate, (t) => {
    const syllables = Math.sin(Math.PI * 4 * t) ** 2;
    const edge = Math.min(1, t / 0.02, (seconds - t) / 0.02);
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * 150 * h * t) / h;
    return 0.25 * edge * syllables * v;
  });
}
