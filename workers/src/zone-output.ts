import { wantsOwnSink } from '@mpvisor/config';
import { installationId, holdSinkName, combinedSinkName, sinkNameOf } from '@mpvisor/pulse';
import type { AudioChoice } from './audio-output.js';
import type { Bootstrap } from './bootstrap.js';
import { OutputGuard } from './output-guard.js';
import { audibleIn } from './output-status.js';
import type { Reporter } from './reporter.js';
import { switchToServer } from './server-arrival.js';
import type { Zone } from './zone.js';

/**
 * The sink a zone owns: the one mpvisor makes for it (a combined-audio zone's combine sink, the bridged
 * sink of a zone with isolate_output), else its `pulse/NAME` device; null when it follows the default sink.
 */
export function ownedSink(zone: Bootstrap['zone']): string | null {
  if (zone.kind === 'combined-audio' || wantsOwnSink(zone)) return combinedSinkName(zone.name);
  return zone.audio_device && zone.audio_device !== 'pulse' ? sinkNameOf(zone.audio_device) : null;
}

/** The devices behind a zone's own sink (sink names), whose absence the zone's output state tells. */
const combineDevices = (zone: Bootstrap['zone']): string[] =>
  wantsOwnSink(zone) ? zone.combined_sinks.flatMap((d) => sinkNameOf(d) ?? []) : [];

/**
 * The OutputGuard of a zone that plays through PulseAudio/PipeWire to a sink of its own (started),
 * or null: a zone on the default sink, on ALSA, or on the null output by choice has no output to own.
 * A zone on the null output only for want of a server is guarded too: it says audio_server_missing,
 * and moves to its sink once the server and that sink are there.
 */
export async function guardZoneOutput(
  zone: Zone,
  audio: AudioChoice,
  boot: Bootstrap,
  reporter: Reporter,
): Promise<OutputGuard | null> {
  const sink = ownedSink(boot.zone);
  if ((audio.pending ?? audio.output).ao !== 'pulse' || sink === null) return null;
  const tag = await installationId(boot.stateDir);
  const guard = new OutputGuard({
    sink,
    zoneName: boot.zone.name,
    devices: combineDevices(boot.zone),
    isolated: boot.zone.isolate_output,
    tag,
    holdSink: holdSinkName(tag),
    env: { ...process.env, ...boot.mpvEnv },
    reporter,
    waitingForServer: audio.pending !== null,
    zone: {
      slots: () => zone.slots,
      audible: () => audibleIn(zone.state()),
      resume: () =>
        zone.pendingAudio
          ? switchToServer(zone, { ...zone.pendingAudio, device: `pulse/${sink}` }, reporter)
          : resumeAfterServerReturn(zone),
      setOutput: (status) => {
        zone.output = status;
        zone.stateChanged();
      },
    },
  });
  guard.start();
  return guard;
}

/**
 * A lost server connection leaves mpv's audio in one of two states (the file ended, or it plays on
 * without sound): the background is loaded again where it is, one path for both; another mpv still
 * holding a file gets its output reopened now rather than after its own 2.4-4.4 s reconnect.
 */
async function resumeAfterServerReturn(zone: Zone): Promise<void> {
  await Promise.all(
    zone.slots.map(async (slot) => {
      const client = slot.client;
      if (!client) return;
      if (slot.role === 'background' && zone.background.active) return zone.background.reopen();
      const idle = await client.getProperty<boolean>('idle-active', { timeoutMs: 1000 }).catch(() => null);
      if (idle === false) await client.command(['ao-reload'], { timeoutMs: 1000 }).catch(() => undefined);
    }),
  );
}
