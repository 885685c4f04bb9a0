// Command line for one mpv instance. Kept separate from spawning so the flag set can be reviewed
// and unit-tested on its own.

export interface MpvAudioOutput {
  /** --ao, e.g. 'pulse', 'alsa', 'null'. */
  ao?: string;
  /** --audio-device, e.g. 'pulse/zone1_sink'. */
  device?: string;
}

export interface MpvArgsOptions {
  /** Names this instance (background, speech, effects, video); shown as the audio client name. */
  role: string;
  /** Extra arguments: they override the defaults below, but not the confinement flags, which come last. */
  args?: string[];
  /** Stay running with nothing to play (default true). */
  idle?: boolean;
  audioOutput?: MpvAudioOutput;
  /** Allow video output (default false: audio-only, no window ever). */
  video?: boolean;
}

/** File descriptor of the IPC socketpair in the child (stdio index 3). */
export const MPV_IPC_FD = 3;

// Lean and deterministic: ignore the user's mpv.conf, scripts, and key bindings, which would make
// a show behave differently per machine and cost ~12 MB per instance.
const LEAN_FLAGS: readonly string[] = [
  '--no-config',
  '--load-scripts=no',
  '--ytdl=no',
  '--osc=no',
  '--load-stats-overlay=no',
  '--load-osd-console=no',
  '--load-auto-profiles=no',
  '--input-default-bindings=no',
  '--input-terminal=no',
  '--input-media-keys=no',
];

// mpv 0.35 writes its log messages to stdout and only the status line to stderr. Level 'warn'
// drops the status line (it is below warn) while keeping warnings and errors; --no-terminal or
// --really-quiet would silence those too.
const LOG_FLAGS: readonly string[] = ['--terminal=yes', '--msg-level=all=warn', '--msg-color=no'];

// Confinement: mpv opens only the file it is told to. Without these, a playlist, an EDL file, a
// CUE sheet or an HLS/concat manifest (whatever its extension: mpv probes content, so a `song.wav`
// that begins with #EXTM3U is a playlist) makes mpv open files outside the media folder, and an
// SDP file makes FFmpeg listen for RTP on every interface. access-references=no stops every
// reference mpv or FFmpeg would follow (playlists, EDL, ordered chapters, FFmpeg's nested opens);
// the empty protocol whitelist stops FFmpeg's own network opens, which bypass that check.
// FFmpeg reads the main file through mpv's stream, so ordinary media and av://lavfi still play.
const CONFINEMENT_FLAGS: readonly string[] = [
  '--access-references=no',
  '--load-unsafe-playlists=no',
  '--demuxer-lavf-o=protocol_whitelist=none',
];

export function buildMpvArgs(opts: MpvArgsOptions): string[] {
  const args = [`--input-ipc-client=fd://${MPV_IPC_FD}`, ...LEAN_FLAGS, ...LOG_FLAGS];
  args.push(`--idle=${opts.idle === false ? 'no' : 'yes'}`);
  // With the default gapless-audio=weak, end-file arrives 300-400 ms before the sound stops.
  args.push('--gapless-audio=no');
  args.push(`--audio-client-name=mpvisor-${opts.role}`);
  if (opts.audioOutput?.ao) args.push(`--ao=${opts.audioOutput.ao}`);
  if (opts.audioOutput?.device) args.push(`--audio-device=${opts.audioOutput.device}`);
  if (!opts.video) {
    // Audio roles: never open a window, not even for cover art embedded in an MP3.
    args.push('--vid=no', '--audio-display=no', '--force-window=no');
  }
  if (opts.args) args.push(...opts.args);
  // Last, so no extra argument can undo them (mpv: the last occurrence wins).
  args.push(...CONFINEMENT_FLAGS);
  return args;
}
