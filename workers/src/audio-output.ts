import { connect } from 'node:net';
import { join } from 'node:path';
import type { MpvAudioOutput } from '@mpvisor/mpv';

/** Where a PulseAudio (or pipewire-pulse) client would connect, per libpulse's own lookup order. */
export function pulseSocketPath(env: NodeJS.ProcessEnv): string | null {
  const server = env.PULSE_SERVER;
  if (server) return server.startsWith('unix:') ? server.slice(5) : null;
  const runtime = env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 0}`;
  return join(runtime, 'pulse', 'native');
}

export function canConnect(path: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface AudioChoice {
  output: MpvAudioOutput;
  /** What state and logs report: the device, or "null" when we fell back. */
  label: string;
  warning: string | null;
}

/**
 * Choose mpv's audio output for a zone. Without an audio server every mpv output fails; rather than a
 * crash loop, fall back to the null output with a clear warning (unless audio_fallback = fail).
 */
export async function chooseAudioOutput(device: string | undefined, env: NodeJS.ProcessEnv, fallback: 'null' | 'fail'): Promise<AudioChoice> {
  if (device && !device.startsWith('pulse/') && device !== 'pulse') {
    const ao = device.split('/')[0];
    return { output: { ...(ao ? { ao } : {}), device }, label: device, warning: null };
  }
  const socket = pulseSocketPath(env);
  const reachable = socket !== null && env.PULSE_SERVER?.startsWith('tcp:') !== true ? await canConnect(socket) : Boolean(env.PULSE_SERVER);
  if (reachable) {
    return { output: { ao: 'pulse', ...(device && device !== 'pulse' ? { device } : {}) }, label: device ?? 'pulse', warning: null };
  }
  const message = `no PulseAudio server reachable${socket ? ` at ${socket}` : ''}`;
  if (fallback === 'fail') throw new Error(`${message} and audio_fallback = fail`);
  return { output: { ao: 'null' }, label: 'null', warning: `${message}: playing to the null output (silent); install/start pulseaudio or pipewire-pulse` };
}
