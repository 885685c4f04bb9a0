import { afterAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '@mpvisor/config';
import { IpcServer } from '@mpvisor/ipc';
import type { Logger } from '@mpvisor/log';
import {
  parseWorkerMessage,
  WORKER_PROTOCOL,
  type SupervisorToWorker,
  type WorkerToSupervisor,
} from '@mpvisor/protocol';
import { isAlive, repoRoot, tempDir, waitFor } from '@mpvisor/testkit';
import { systemClock } from '../src/clock.js';
import { WorkerServer } from '../src/worker-server.js';
import { ZoneRegistry } from '../src/zone-registry.js';
import { spawnWorker } from '../src/zones/worker-process.js';
import { ZoneRunner } from '../src/zones/zone-runner.js';

// A worker whose connection to the supervisor breaks (a socket error, a write overflow) while both live
// on is an abnormal end on both sides: the worker exits non-zero, the supervisor kills what is left and
// its restart policy restarts the zone, even a transient one (which a clean exit would leave down).

const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child: () => quiet } as unknown as Logger;
const dir = tempDir('mpvll');
const zone = parseConfigText(
  '[global]\nmedia_base_path = /tmp\n[audio:fx]\ntopic = t/fx\nmedia_dir = .\nrestart_type = transient\n',
).config!.zones[0]!;
const base = {
  mpvPath: 'mpv',
  runDir: dir.path,
  stateDir: dir.path,
  logLevel: 'error',
  heartbeatIntervalMs: 1000,
  audioFallback: 'null' as const,
};

afterAll(() => dir.remove());

describe('a lost worker connection is a crash', () => {
  it('the real worker exits non-zero when the supervisor end of its socket closes after ready, and its mpv go with it', async () => {
    const socketPath = join(dir.path, 'w.sock');
    const server = new IpcServer<WorkerToSupervisor, SupervisorToWorker>({ socketPath, parse: parseWorkerMessage });
    await server.listen();
    let mpv: number[] = [];
    const worker = spawnWorker({ bootstrap: { ...base, socketPath, zone }, onOutputLine: () => {} });
    try {
      server.on('message', (peer, msg) => {
        if (msg.type !== 'ready') return;
        mpv = msg.mpv.flatMap((m) => (m.pid === null ? [] : [m.pid]));
        peer.close();
      });
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([
        worker.exited,
        new Promise<null>((r) => (timer = setTimeout(() => r(null), 20_000))),
      ]);
      clearTimeout(timer);
      expect(mpv.length).toBeGreaterThan(0);
      expect(exit).toEqual({ code: 75, signal: null });
      await waitFor(() => mpv.every((pid) => !isAlive(pid)), 3000, "the worker's mpv to quit");
    } finally {
      worker.killGroup('SIGKILL');
      await server.close();
    }
  }, 30_000);

  it('the supervisor kills a worker that dropped its connection after its hello, and a transient zone is restarted', async () => {
    // A fixture worker: a real hello on the real worker socket, then it closes the socket and lives on.
    const entry = join(dir.path, 'dropping-worker.mjs');
    writeFileSync(
      entry,
      [
        "import { connect } from 'node:net';",
        `import { readBootstrap } from ${JSON.stringify(join(repoRoot, 'workers', 'dist', 'bootstrap.js'))};`,
        'const boot = await readBootstrap();',
        "process.stdin.resume();\nprocess.stdin.on('end', () => process.exit(0));",
        'const s = connect(boot.socketPath, () => {',
        `  s.write(JSON.stringify({ type: 'mpvisor.msg', data: { type: 'hello', zone: boot.zone.name, pid: process.pid, protocol: ${WORKER_PROTOCOL}, token: boot.token } }) + '\\f');`,
        '  setTimeout(() => s.destroy(), 300);',
        '});',
        "s.on('error', () => {});",
      ].join('\n'),
    );
    const socketPath = join(dir.path, 'workers.sock');
    const zones = new ZoneRegistry();
    const server = new WorkerServer(socketPath, zones, quiet);
    await server.listen();
    const events: Array<{ event: string; detail: Record<string, unknown> }> = [];
    const hooks = {
      stateChanged() {},
      lifecycle: (_z: string, event: string, detail: Record<string, unknown>) => events.push({ event, detail }),
      mediaEvent() {},
      warning() {},
    };
    const runner = new ZoneRunner({
      zone,
      bootstrap: { ...base, socketPath, zone },
      clock: systemClock,
      log: quiet,
      hooks,
      workerEntry: entry,
    });
    zones.add(runner);
    runner.start();
    const first = runner.pid!;
    try {
      const crashed = await waitFor(() => events.find((e) => e.event === 'crashed'), 10_000, 'the crash');
      expect(crashed.detail).toMatchObject({ reason: 'worker connection lost', signal: 'SIGKILL' });
      expect(events.map((e) => e.event)).toEqual(['crashed', 'restarting']);
      await waitFor(() => runner.pid !== null && runner.pid !== first, 5000, 'a new worker');
      expect(isAlive(first)).toBe(false);
    } finally {
      await runner.stop('test');
      await server.close();
    }
  }, 30_000);
});
