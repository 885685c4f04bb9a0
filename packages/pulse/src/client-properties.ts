/** The latency an isolated zone's mpv ask of their sink (see zoneStreamEnvironment). */
export const ISOLATED_STREAM_LATENCY_MS = 60;

/**
 * The environment that makes a zone's mpv say whose they are to the audio server: libpulse adds
 * PULSE_PROP to its client's properties and pipewire-pulse carries them onto each stream. The server
 * keys what it restores for a new stream (mute, volume, target: WirePlumber's restore-stream,
 * PulseAudio's module-stream-restore) by application.id before application.name, and the name is
 * `mpvisor-<role>` in every zone: on PipeWire 0.3.65 a stream one zone opened while another zone's
 * stream of that role was muted (the output guard mutes one whose sink went) opened muted too.
 */
export function zoneStreamEnvironment(zone: string, isolated = false): Record<string, string> {
  return { PULSE_PROP: `application.id=${zoneClientId(zone)}`, ...streamLatencyEnvironment(isolated) };
}

/**
 * What an isolated zone's mpv (and a warm spare's that such a zone may adopt) add to their environment.
 * An isolated zone plays to a null sink of ours. With no client asking for a low latency, PulseAudio's null
 * sink renders up to 2 s ahead of real time whenever its bridge is gone, and holds the stream back by as
 * much when the bridge returns (measured: the music 2 s behind, or 0.8 s ahead, after a 2 s outage).
 * libpulse asks for this latency (and lets the server adjust to it) for every stream of the process.
 */
export const streamLatencyEnvironment = (isolated: boolean): Record<string, string> =>
  isolated ? { PULSE_LATENCY_MSEC: String(ISOLATED_STREAM_LATENCY_MS) } : {};

/** The id a zone's mpv give the audio server (application.id): `mpvisor.<zone>`. */
export const zoneClientId = (zone: string): string => `mpvisor.${zone.replace(/[^\w.-]/g, '_')}`;

/**
 * The client name (mpv's audio-client-name, the server's application.name) of a warm spare's mpv once a
 * zone adopts it: a spare starts before it knows its zone, so its environment carries no application.id
 * and the server keys what it restores by this name instead. `mpvisor-<role>` alone (a cold zone's name,
 * with the id beside it) would let one zone's muted stream mute another zone's next one.
 */
export const adoptedClientName = (zone: string, role: string): string => `mpvisor-${role}@${zoneClientId(zone)}`;
