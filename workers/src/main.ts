import { IpcClient } from '@mpvisor/ipc';
import { parseSupervisorMessage, WORKER_PROTOCOL, type HandlerResult, type SupervisorToWorker, type WorkerToSupervisor } from '@mpvisor/protocol';
import { chooseAudioOutput } from './audio-output.js';
import { readBootstrap } from './bootstrap.js';
import { ProgressWatch } from './progress-watch.js';
import { Reporter } from './reporter.js';
import { resumeZone } from './resume.js';
import { Zone } from './zone.js';

/**
 * Zone worker entry: connect to the supervisor, start the zone's mpv, report ready, then heartbeat and
 * answer requests. It exits when the supervisor goes away (EOF on stdin), so it never outlives it.
 */
async function main(): Promise<void> {
  const boot = readBootstrap();
  const reporter = new Reporter(boot.logLevel);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();

  const ipc = await IpcClient.connect<SupervisorToWorker, WorkerToSupervisor>({ socketPath: boot.socketPath, parse: parseSupervisorMessage, timeoutMs: 3000 });
  reporter.connect((m) => ipc.send(m));
  ipc.on('disconnect', () => process.exit(0));
  ipc.send({ type: 'hello', zone: boot.zone.name, pid: process.pid, protocol: WORKER_PROTOCOL });

  const audio = await chooseAudioOutput(boot.zone.audio_device, { ...process.env, ...boot.mpvEnv }, boot.audioFallback);
  if (audio.warning) reporter.send({ type: 'warning', message: audio.warning, error_type: 'media_error' });
  const zone = new Zone(boot, audio, reporter);
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await zone.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  ipc.on('message', (msg) => {
    if (msg.type === 'shutdown') void shutdown(0);
    else if (msg.type === 'request') {
      void zone
        .handle(msg.command, msg.args)
        .catch((err: unknown): HandlerResult => ({ outcome: 'failed', error_type: 'internal', message: (err as Error).message }))
        .then((r) => ipc.send({ type: 'response', reply_to: msg.req_id, outcome: r.outcome, message: r.message, error_type: r.error_type ?? null, result: r.result }));
    }
  });

  await zone.start();
  ipc.send({ type: 'ready', mpv: zone.slots.map((s) => s.info()) });
  ipc.send({ type: 'state', media: zone.state() });
  void resumeZone(zone, boot.resume, reporter);

  let seq = 0;
  const progress = new ProgressWatch(Math.max(2000, 3 * boot.heartbeatIntervalMs));
  const probeTimeout = Math.max(100, Math.floor(boot.heartbeatIntervalMs / 2));
  const beat = async () => {
    const alive = await Promise.all(zone.slots.map((s) => s.probe(probeTimeout)));
    await zone.sample();
    const problems = zone.slots.filter((_, i) => !alive[i]).map((s) => `mpv ${s.role} not answering`);
    const stall = progress.check(zone.state().background, Date.now());
    if (stall.problem) problems.push(stall.problem);
    if (stall.recover) zone.slots.find((s) => s.role === 'background')?.kill(stall.problem ?? 'no progress');
    ipc.send({ type: 'heartbeat', seq: seq++, mpv: zone.slots.map((s) => s.info()), healthy: problems.length === 0, problems });
    setTimeout(() => void beat(), boot.heartbeatIntervalMs);
  };
  void beat();
}

main().catch((err: unknown) => {
  process.stderr.write(`zone worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
