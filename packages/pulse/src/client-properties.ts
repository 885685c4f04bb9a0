/**
 * The environment that makes a zone's mpv say whose they are to the audio server: libpulse adds
 * PULSE_PROP to its client's properties and pipewire-pulse carries them onto each stream. The server
 * keys what it restores for a new stream (mute, volume, target: WirePlumber's restore-stream,
 * PulseAudio's module-stream-restore) by application.id before application.name, and the name is
 * `mpvisor-<role>` in every zone: on PipeWire 0.3.65 a stream one zone opened while another zone's
 * stream of that role was muted (the output guard mutes one whose sink went) opened muted too.
 */
export function zoneStreamEnvironment(zone: string): { PULSE_PROP: string } {
  return { PULSE_PROP: `application.id=mpvisor.${zone.replace(/[^\w.-]/g, '_')}` };
}
