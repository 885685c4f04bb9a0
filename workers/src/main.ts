import { IpcClient } from '@mpvisor/ipc';
import {
  parseSupervisorMessage,
  WORKER_PROTOCOL,
  type HandlerResult,
  type SupervisorToWorker,
  type WorkerToSupervisor,
} from '@mpvisor/protocol';
import { chooseAudioOutput } from './audio-output.js';
import { readBootstrap, type Bootstrap } from './bootstrap.js';
import { ProgressWatch } from './progress-watch.js';
import { Reporter } from './reporter.js';
import { resumeZone } from './resume.js';
import { finishAdoption, runSpare, type Adoption } from './spare.js';
import type { MpvSlot } from './mpv-slot.js';
import { audibleIn, outputFault } from './output-status.js';
import type { AudioChoice } from './audio-output.js';
import { Zone } from './zone.js';
import { awaitAudioServer } from './server-arrival.js';
import { guardZoneOutput } from './zone-output.js';
import { errorMessage, errorStack } from '@mpvisor/sys';
import type { OutputGuard } from './output-guard.js';

/**
 * The connection to the supervisor broke while the supervisor lives on (a socket error, a write
 * overflow): an abnormal end, so the restart policy restarts the zone even when it is transient.
 */
const EXIT_LINK_LOST = 75;

/** How long a stopping worker waits for its mpv to confirm they are paused before it gives up saying so. */
const SILENCE_TIMEOUT_MS = 200;

/**
 * Zone worker entry: connect to the supervisor, start the zone's mpv, report ready, then heartbeat and
 * answer requests. Its bootstrap is the first line of stdin; it exits when the supervisor goes away (EOF on
 * stdin), so it never outlives it.
 */
async function main(): Promise<void> {
  // Read before the EOF watch below, so a worker started by hand says why it stops.
  const boot = await readBootstrap();
  const reporter = new Reporter(boot.logLevel);
  // A stop asked by message silences the mpv first; stdin's EOF, which follows that message, waits for it.
  let silencing: Promise<void> = Promise.resolve();
  const exitAfterSilence = () => void silencing.then(() => process.exit(0));
  process.stdin.on('end', exitAfterSilence);
  process.stdin.on('error', exitAfterSilence);
  if (process.stdin.readableEnded) process.exit(0);
  process.stdin.resume();

  const ipc = await IpcClient.connect<SupervisorToWorker, WorkerToSupervisor>({
    socketPath: boot.socketPath,
    parse: parseSupervisorMessage,
    timeoutMs: 3000,
  });
  reporter.connect((m) => ipc.send(m));
  // A graceful stop in progress is not cut short by the link closing under it.
  let stopping = false;
  ipc.on('disconnect', () => {
    if (stopping) return;
    process.stderr.write('zone worker: connection to the supervisor lost\n');
    process.exit(EXIT_LINK_LOST);
  });
  ipc.send({
    type: 'hello',
    zone: boot.zone?.name ?? null,
    pid: process.pid,
    protocol: WORKER_PROTOCOL,
    token: boot.token,
  });

  // Until there is a zone (a warm spare waiting for `adopt`), stopping closes the spare's slots.
  let zone: Zone | null = null;
  let spareSlots: MpvSlot[] = [];
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (zone) {
      // Said as soon as it is so: a reset's warm spare starts the music then, not once these mpv have exited.
      const slots = zone.slots;
      silencing = Promise.all(slots.map((s) => s.silence(SILENCE_TIMEOUT_MS))).then((quiet) => {
        if (quiet.every(Boolean)) ipc.send({ type: 'silenced' });
      });
      await silencing;
    }
    await (zone ? zone.close() : Promise.all(spareSlots.map((s) => s.close(1500))));
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  ipc.on('message', (msg) => {
    if (msg.type === 'shutdown') void shutdown(0);
    else if (msg.type === 'request') {
      if (!zone) {
        ipc.send({
          type: 'response',
          reply_to: msg.req_id,
          outcome: 'failed',
          message: 'a spare worker has no zone',
          error_type: 'zone_unavailable',
        });
        return;
      }
      void zone
        .handle(msg.command, msg.args)
        .catch(
          (err: unknown): HandlerResult => ({
            outcome: 'failed',
            error_type: 'internal',
            message: errorMessage(err),
          }),
        )
        .then((r) =>
          ipc.send({
            type: 'response',
            reply_to: msg.req_id,
            outcome: r.outcome,
            message: r.message,
            error_type: r.error_type ?? null,
            result: r.result,
            ...(r.warning_type ? { warning_type: r.warning_type } : {}),
          }),
        );
    }
  });

  let adoption: Adoption | null = null;
  let zoneBoot: Bootstrap;
  let audio: AudioChoice;
  if (boot.zone === null) {
    adoption = await runSpare(boot, ipc, reporter, (slots) => (spareSlots = slots));
    zoneBoot = adoption.boot;
    audio = adoption.audio;
    if (adoption.audio.warning)
      reporter.send({ type: 'warning', message: adoption.audio.warning, error_type: 'media_error' });
    zone = new Zone(zoneBoot, adoption.audio, reporter, adoption.slots);
  } else {
    zoneBoot = boot;
    audio = await chooseAudioOutput(boot.zone.audio_device, { ...process.env, ...boot.mpvEnv }, boot.audioFallback);
    if (audio.warning) reporter.send({ type: 'warning', message: audio.warning, error_type: 'media_error' });
    zone = new Zone(boot, audio, reporter);
  }
  await zone.start();
  if (adoption) await finishAdoption(adoption, reporter);
  // Only the spare's own background mpv holds what it preloaded.
  if (adoption?.preload && adoption.slots.adopted.some((s) => s.role === 'background'))
    zone.background.offerPreloaded(adoption.preload);
  // The music a listener waits for starts first: the output guard's pactl processes would compete with
  // its loadfile for the CPU (on 2 cores that cost a warm spare's adoption ~100 ms), so they start once
  // the resume has settled (bounded by the resume's own timeouts).
  const resumed = resumeZone(zone, zoneBoot.resume, reporter);
  ipc.send({ type: 'ready', mpv: zone.slots.map((s) => s.info()) });
  ipc.send({ type: 'state', media: zone.state() });
  const running = zone;
  let output: OutputGuard | null = null;
  let stopWaiting: () => void = () => undefined;
  // However the worker ends (stdin EOF, disconnect, signal), its pactl subscribe children must not outlive it.
  process.once('exit', () => {
    output?.stop();
    stopWaiting();
  });
  void resumed
    .then(() => guardZoneOutput(running, audio, zoneBoot, reporter))
    .then(
      (guard) => {
        output = guard;
        // No guard: no audio server yet; the zone moves to its output once one appears.
        if (!guard) stopWaiting = awaitAudioServer(running, audio, { ...process.env, ...zoneBoot.mpvEnv }, reporter);
      },
      (err: unknown) =>
        reporter.send({
          type: 'warning',
          message: `audio output guard not started: ${errorMessage(err)}`,
          error_type: 'media_error',
        }),
    );

  let seq = 0;
  const progress = new ProgressWatch(Math.max(2000, 3 * zoneBoot.heartbeatIntervalMs));
  const probeTimeout = Math.max(100, Math.floor(zoneBoot.heartbeatIntervalMs / 2));
  const beat = async () => {
    const alive = await Promise.all(running.slots.map((s) => s.probe(probeTimeout)));
    await running.sample();
    const problems = running.slots.filter((_, i) => !alive[i]).map((s) => `mpv ${s.role} not answering`);
    const media = running.state();
    // Without an audio server the music cannot move on; that is the server's fault, not a stuck mpv.
    const stall = progress.check(
      output?.serverMissing ? { status: 'stopped', position_s: null } : media.background,
      Date.now(),
    );
    if (stall.problem) problems.push(stall.problem);
    const silent = outputFault(output?.status ?? null, audibleIn(media));
    if (silent) problems.push(silent);
    if (stall.recover) running.slots.find((s) => s.role === 'background')?.kill(stall.problem ?? 'no progress');
    const position = media.background.position_s;
    ipc.send({
      type: 'heartbeat',
      seq: seq++,
      mpv: running.slots.map((s) => s.info()),
      healthy: problems.length === 0,
      problems,
      background_position_s: position,
      background_duration_s: running.background.durationS,
    });
    setTimeout(() => void beat(), zoneBoot.heartbeatIntervalMs);
  };
  void beat();
}

main().catch((err: unknown) => {
  process.stderr.write(`zone worker failed: ${errorStack(err)}\n`);
  process.exit(1);
});
