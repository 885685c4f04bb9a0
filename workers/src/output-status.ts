import type { MediaState, OutputProblem, OutputStatus } from '@mpvisor/protocol';
import { OWNER_PROPERTY, ZONE_PROPERTY, type PulseSink, type PulseSinkInput } from '@mpvisor/pulse';

export interface OutputFacts {
  /** The zone's own sink name. */
  sink: string;
  /** The devices (sink names) behind the zone's own sink (combine or isolated); empty when the zone plays to a device itself. */
  devices: readonly string[];
  /**
   * An isolated zone (isolate_output): its sink reaches its device through a loopback stream carrying
   * these properties, which the supervisor loads again when the device returns; until then it is not heard.
   */
  bridge: { owner: string; zone: string } | null;
  /** Our holding sink: a stream waiting there while the zone's sink is present is in transit, not moved away. */
  holdSink: string;
  server: boolean;
  sinks: readonly PulseSink[];
  inputs: readonly PulseSinkInput[];
  /** Our mpv processes: pid -> role. */
  mpv: ReadonlyMap<number, string>;
  /** The zone plays something now: a suspended sink is then a fault, not the server saving power. */
  audible: boolean;
  now: Date;
}

const REASONS: Record<OutputProblem, (sink: string, f: OutputFacts) => string> = {
  audio_server_missing: () => 'no audio server (PulseAudio/PipeWire) is reachable',
  output_missing: (s, f) => {
    const gone = missingDevice(f);
    if (gone === undefined)
      return `output ${s} is gone; the zone's streams wait silently on mpvisor's holding sink until it returns`;
    if (f.sinks.some((x) => x.name === gone))
      return `output ${gone} is there but the zone's sink ${s} is not bridged to it yet; the supervisor bridges it`;
    return f.devices.length > 1
      ? `output ${gone} is gone; the zone plays on in its sink ${s}, heard on its other outputs only, until it returns`
      : `output ${gone} is gone; the zone plays on in its sink ${s}, heard nowhere, until it returns`;
  },
  stream_moved: (s, f) =>
    `a stream of this zone plays on ${streamsOf(f).find((x) => x.sink !== s && x.sink !== f.holdSink)?.sink ?? 'another sink'} instead of ${s}`,
  sink_suspended: (s) => `output ${s} is suspended while the zone plays`,
  sink_muted: (s, f) => `output ${outputsOf(f).find((o) => o.mute === true)?.name ?? s} is muted`,
  sink_volume_zero: (s, f) => `output ${outputsOf(f).find((o) => o.volume_percent === 0)?.name ?? s} is at zero volume`,
};

const missingDevice = (f: OutputFacts): string | undefined =>
  f.devices.find((d) => !f.sinks.some((s) => s.name === d) || !bridged(f, d));

/** The isolated zone's loopback plays to this device (always true for a zone without one). */
function bridged(f: OutputFacts, device: string): boolean {
  const { bridge } = f;
  if (bridge === null) return true;
  const index = f.sinks.find((s) => s.name === device)?.index;
  return f.inputs.some(
    (i) =>
      i.sink === index && i.properties[OWNER_PROPERTY] === bridge.owner && i.properties[ZONE_PROPERTY] === bridge.zone,
  );
}

/** The zone's sink and the devices behind it that are there: a mute or zero volume on any of them silences the zone. */
const outputsOf = (f: OutputFacts): PulseSink[] =>
  [f.sink, ...f.devices].flatMap((n) => f.sinks.find((s) => s.name === n) ?? []);

function streamsOf(f: OutputFacts): Array<{ role: string; sink: string | null }> {
  return f.inputs.flatMap((i) => {
    const role = f.mpv.get(Number(i.properties['application.process.id']));
    return role === undefined ? [] : [{ role, sink: f.sinks.find((s) => s.index === i.sink)?.name ?? null }];
  });
}

/** What the audio server says about a zone's output, as the zone state carries it. Pure. */
export function assessOutput(f: OutputFacts): OutputStatus {
  const own = f.server ? f.sinks.find((s) => s.name === f.sink) : undefined;
  const streams = f.server ? streamsOf(f) : [];
  const problems: OutputProblem[] = [];
  if (!f.server) problems.push('audio_server_missing');
  else if (!own) problems.push('output_missing');
  else {
    if (missingDevice(f) !== undefined) problems.push('output_missing');
    if (streams.some((s) => s.sink !== f.sink && s.sink !== f.holdSink)) problems.push('stream_moved');
    if (f.audible && own.state === 'SUSPENDED') problems.push('sink_suspended');
    const outputs = outputsOf(f);
    if (outputs.some((o) => o.mute === true)) problems.push('sink_muted');
    if (outputs.some((o) => o.volume_percent === 0)) problems.push('sink_volume_zero');
  }
  const devices = f.devices.map((name) => ({ name, present: f.server && f.sinks.some((s) => s.name === name) }));
  return {
    sink: f.sink,
    server: f.server,
    present: own !== undefined && devices.every((d) => d.present),
    devices,
    sink_state: own?.state ?? null,
    muted: own?.mute ?? null,
    volume_percent: own?.volume_percent ?? null,
    streams,
    problems,
    reason: problems[0] ? REASONS[problems[0]](f.sink, f) : null,
    checked_at: f.now.toISOString(),
  };
}

/** The zone plays something that should be heard. */
export const audibleIn = (m: Pick<MediaState, 'background' | 'speech' | 'effects'>): boolean =>
  m.background.status === 'playing' || m.speech.status === 'playing' || m.effects.active > 0;

/**
 * Whether the zone is `degraded` for its output: it should be audible and is not. A missing audio
 * server is not counted: it is the machine's, no restart of the zone helps, and the zone stays ready.
 */
export function outputFault(status: OutputStatus | null, audible: boolean): string | null {
  if (!status || !audible) return null;
  const first = status.problems.find((p) => p !== 'audio_server_missing');
  return first === undefined ? null : `${first}: ${status.reason ?? first}`;
}
