// mpv options a config may not pass to mpv. The INI author is trusted (they also choose mpv_path):
// this list keeps a pasted option from silently undoing what mpvisor relies on, namely its control
// channel, the media-folder confinement, a lean start with no user code, and no files written.

/** Canonical names (and mpv 0.35's aliases of them), lower case, without dashes or `no-`. */
export const RESERVED_MPV_OPTIONS: ReadonlySet<string> = new Set([
  // The worker's control channel.
  'input-ipc-server',
  'input-unix-socket',
  'input-ipc-client',
  'input-conf',
  'input-file',
  // Configuration and code loaded from elsewhere.
  'config',
  'config-dir',
  'include',
  'use-filedir-conf',
  'load-scripts',
  'script',
  'scripts',
  'script-opt',
  'script-opts',
  'lua',
  'lua-opts',
  'ytdl',
  'ytdl-raw-options',
  // The media-folder confinement: references, playlists, extra files, nested protocols.
  'access-references',
  'load-unsafe-playlists',
  'playlist',
  'demuxer-lavf-o',
  'stream-lavf-o',
  'external-file',
  'external-files',
  'sub-file',
  'sub-files',
  'subfile',
  'sub-file-paths',
  'sub-paths',
  'audio-file',
  'audio-files',
  'audiofile',
  'audio-file-paths',
  'cover-art-file',
  'cover-art-files',
  'lavfi-complex',
  // Files written.
  'o',
  'log-file',
  'dump-stats',
  'stream-record',
  'record-file',
  'watch-later-directory',
  'save-position-on-quit',
  'screenshot-directory',
  // mpvisor's own process model: an mpv that quits when idle would be restarted in a loop.
  'idle',
]);

/** mpv's list-option actions: `--scripts-append=x` is `--scripts` too. */
const LIST_SUFFIXES = ['-add', '-append', '-pre', '-set', '-clr', '-del', '-remove', '-toggle'];

const OPTION_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The option an argument names, in every spelling mpv accepts (`--x=`, `-x=`, `--no-x`, `--x-append`). */
export function mpvOptionName(arg: string): string | null {
  const dashes = arg.startsWith('--') ? 2 : arg.startsWith('-') ? 1 : 0;
  if (dashes === 0) return null;
  const eq = arg.indexOf('=');
  const name = (eq < 0 ? arg.slice(dashes) : arg.slice(dashes, eq)).toLowerCase();
  return OPTION_NAME.test(name) ? name : null;
}

function reservedName(name: string): string | undefined {
  const bare = name.startsWith('no-') ? name.slice(3) : name;
  for (const candidate of [name, bare]) {
    if (RESERVED_MPV_OPTIONS.has(candidate)) return candidate;
    const suffix = LIST_SUFFIXES.find((s) => candidate.endsWith(s));
    if (suffix && RESERVED_MPV_OPTIONS.has(candidate.slice(0, -suffix.length)))
      return candidate.slice(0, -suffix.length);
  }
  return undefined;
}

/** Why mpvisor refuses this argument, or null when mpv may have it. */
export function mpvOptionProblem(arg: string): string | null {
  const name = mpvOptionName(arg);
  if (name === null) {
    // A bare word is a file mpv would play (or a separated value, which mpv may read as a file).
    return `${JSON.stringify(arg)} is not an mpv option: write each option as --name or --name=value`;
  }
  const reserved = reservedName(name);
  if (reserved !== undefined)
    return `${JSON.stringify(arg)} sets --${reserved}, which is managed by mpvisor and cannot be set here`;
  return null;
}
