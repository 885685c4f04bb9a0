import { connect } from 'node:net';
import { join } from 'node:path';

/** Where a PulseAudio (or pipewire-pulse) client would connect, per libpulse's own lookup order. */
export function pulseSocketPath(env: NodeJS.ProcessEnv): string | null {
  const server = env.PULSE_SERVER;
  if (server) return server.startsWith('unix:') ? server.slice(5) : server.startsWith('/') ? server : null;
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
