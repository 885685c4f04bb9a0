import type { MpvAudioOutput } from '@mpvisor/mpv';
import { canConnect, pulseSocketPath } from '@mpvisor/pulse';

export interface AudioChoice {
  output: MpvAudioOutput;
  /** What state and logs report: the device, or "null" when we fell back. */
  label: string;
  warning: string | null;
  /** The pulse output to take once an audio server appears: set when the zone fell back to the null output. */
  pending: MpvAudioOutput | null;
}

/**
 * Choose mpv's audio output for a zone. Without an audio server every mpv output fails; rather than a
 * crash loop, fall back to the null output with a clear warning (unless audio_fallback = fail).
 */
export async function chooseAudioOutput(
  device: string | undefined,
  env: NodeJS.ProcessEnv,
  fallback: 'null' | 'fail',
): Promise<AudioChoice> {
  if (device && !device.startsWith('pulse/') && device !== 'pulse') {
    const ao = device.split('/')[0];
    return { output: { ...(ao ? { ao } : {}), device }, label: device, warning: null, pending: null };
  }
  const socket = pulseSocketPath(env);
  const reachable =
    socket !== null && env.PULSE_SERVER?.startsWith('tcp:') !== true
      ? await canConnect(socket)
      : Boolean(env.PULSE_SERVER);
  const pulse: MpvAudioOutput = { ao: 'pulse', ...(device && device !== 'pulse' ? { device } : {}) };
  if (reachable) return { output: pulse, label: device ?? 'pulse', warning: null, pending: null };
  const message = `no PulseAudio server reachable${socket ? ` at ${socket}` : ''}`;
  if (fallback === 'fail') throw new Error(`${message} and audio_fallback = fail`);
  return {
    output: { ao: 'null' },
    label: 'null',
    warning: `${message}: playing to the null output (silent) until a server appears; install/start pulseaudio or pipewire-pulse`,
    pending: pulse,
  };
}
