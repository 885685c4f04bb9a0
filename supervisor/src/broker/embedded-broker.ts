import { createServer, type Server } from 'node:net';
import type { Logger } from '@mpvisor/log';

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

/** The built-in broker for the demo and small installs: aedes on loopback, MQTT 3.1.1 only. */
export async function startEmbeddedBroker(host: string, port: number, log: Logger): Promise<EmbeddedBroker> {
  // Loaded only when the config asks for the embedded broker: a supervisor on a real broker never carries aedes.
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    aedes.close();
    throw new Error(
      err.code === 'EADDRINUSE'
        ? `embedded broker cannot listen on ${host}:${port}: the port is in use (another broker?). Set [mqtt] broker/port to use it instead.`
        : `embedded broker failed to listen on ${host}:${port}: ${err.message}`,
    );
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  log.info('embedded MQTT broker listening', { host, port: actualPort });
  return {
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        aedes.close(() =>
          server.close(() => {
            clearTimeout(t);
            resolve();
          }),
        );
      }),
  };
}
