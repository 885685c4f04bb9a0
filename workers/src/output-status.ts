import type { MediaState, OutputProblem, OutputStatus } from '@mpvisor/protocol';
import type { PulseSink, PulseSinkInput } from '@mpvisor/pulse';

export interface OutputFacts {
  /** The zone's own sink name. */
  sink: string;
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
  output_missing: (s) =>
    `output ${s} is gone; the zone's streams wait silently on mpvisor's holding sink until it returns`,
  stream_moved: (s, f) =>
    `a stream of this zone plays on ${streamsOf(f).find((x) => x.sink !== s && x.sink !== f.holdSink)?.sink ?? 'another sink'} instead of ${s}`,
  sink_suspended: (s) => `output ${s} is suspended while the zone plays`,
  sink_muted: (s) => `output ${s} is muted`,
  sink_volume_zero: (s) => `output ${s} is at zero volume`,
};

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
    if (streams.some((s) => s.sink !== f.sink && s.sink !== f.holdSink)) problems.push('stream_moved');
    if (f.audible && own.state === 'SUSPENDED') problems.push('sink_suspended');
    if (own.mute === true) problems.push('sink_muted');
    if (own.volume_percent === 0) problems.push('sink_volume_zero');
  }
  return {
    sink: f.sink,
    server: f.server,
    present: own !== undefined,
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
