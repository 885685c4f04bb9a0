// Shapes of what mpv 0.35 sends over JSON IPC. Only fields we rely on are typed; the raw object
// is always available through the generic 'event' event.

/** Any event object as received: `event` names it, other fields depend on the event. */
export interface MpvEvent {
  event: string;
  [field: string]: unknown;
}

export type MpvEndFileReason = 'eof' | 'stop' | 'quit' | 'error' | 'redirect' | 'unknown';

export interface MpvEndFileEvent extends MpvEvent {
  event: 'end-file';
  reason: MpvEndFileReason;
  /** Present when reason is 'error', e.g. "loading failed", "unrecognized file format". */
  file_error?: string;
  playlist_entry_id?: number;
  playlist_insert_id?: number;
  playlist_insert_num_entries?: number;
}

export interface MpvStartFileEvent extends MpvEvent {
  event: 'start-file';
  playlist_entry_id?: number;
}

export interface MpvPropertyChangeEvent extends MpvEvent {
  event: 'property-change';
  /** The id given to observe_property (0 if observed without one). */
  id: number;
  name: string;
  /** Absent when the property is unavailable (e.g. time-pos while idle). */
  data?: unknown;
}

export interface MpvClosedInfo {
  /** The stream error that ended the connection, if any (a clean EOF or close() has none). */
  error?: Error;
}

/** Event map of MpvClient (node:events typed-listener form). */
export interface MpvClientEvents {
  'end-file': [MpvEndFileEvent];
  'file-loaded': [MpvEvent];
  'playback-restart': [MpvEvent];
  'start-file': [MpvStartFileEvent];
  seek: [MpvEvent];
  shutdown: [MpvEvent];
  'property-change': [MpvPropertyChangeEvent];
  /** Every event mpv sends, including the ones above, as received. */
  event: [MpvEvent];
  /** Emitted once when the connection ends for any reason. */
  close: [MpvClosedInfo];
}

export type MpvNamedEvent = Exclude<keyof MpvClientEvents, 'event' | 'close'>;

export interface MpvRequestOptions {
  /** Reply deadline in ms (default: the client's defaultTimeoutMs, 2000). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** How loadfile inserts the file (mpv 0.35 flag names). */
export type MpvLoadfileMode = 'replace' | 'append' | 'append-play';

export type MpvPropertyHandler<T = unknown> = (value: T | undefined, name: string) => void;

/** Why a line from mpv was not used; reported through MpvClientOptions.onProtocolWarning. */
export type MpvProtocolWarning = 'malformed-json' | 'not-an-object' | 'line-too-long' | 'unmatched-reply';
