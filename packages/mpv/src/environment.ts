// mpv's environment, built from an allow-list: whatever else the worker inherited (a config's
// ${VAR} secrets, tokens, credentials of other tools) never reaches mpv or what mpv starts.

/** What mpv 0.35 and its audio, video and font libraries read. */
const ALLOWED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'XDG_RUNTIME_DIR',
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_DATA_DIRS',
  'PULSE_SERVER',
  'PULSE_SINK',
  'PULSE_COOKIE',
  'PULSE_RUNTIME_PATH',
  'PULSE_PROP',
  'PULSE_LATENCY_MSEC',
  'PIPEWIRE_RUNTIME_DIR',
  'PIPEWIRE_REMOTE',
  'ALSA_CONFIG_PATH',
  'JACK_DEFAULT_SERVER',
  'DISPLAY',
  'XAUTHORITY',
  'WAYLAND_DISPLAY',
  'DBUS_SESSION_BUS_ADDRESS',
  'LIBVA_DRIVER_NAME',
  'VDPAU_DRIVER',
  'MESA_LOADER_DRIVER_OVERRIDE',
  'LIBGL_ALWAYS_SOFTWARE',
  'FONTCONFIG_FILE',
  'FONTCONFIG_PATH',
  'LD_LIBRARY_PATH',
  // Not for mpv: names the supervisor run that owns this mpv (not a secret), so that an orphan can be
  // told from a user's own mpv by its environment. The worker sets it (protocol's OWNER_RUN_DIR_ENV).
  'MPVISOR_OWNER_RUN_DIR',
]);

const ALLOWED_PREFIXES = ['LC_'];

/** The allowed part of `env`, with nothing undefined. */
export function mpvEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (ALLOWED.has(key) || ALLOWED_PREFIXES.some((p) => key.startsWith(p))) out[key] = value;
  }
  return out;
}
