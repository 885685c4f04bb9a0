/** What a reset does; every reset-type command becomes one of these (see handlers.ts). */
export type ResetKind = 'full' | 'audio' | 'sockets' | 'orphans' | 'restart';

export interface ResetRequest {
  /** The command that asked, for logs and results. */
  command: string;
  kind: ResetKind;
  /** Zone names, or null for every zone. */
  zones: string[] | null;
  /** soft: speech may finish (unless force), workers asked to quit; hard: SIGKILL of each worker group at once. */
  level: 'soft' | 'hard';
  /** Skip the speech drain of a soft reset. */
  force: boolean;
  /** Replay background (file, position, loop, paused) and volume after the reset. */
  preserveState: boolean;
  /** Overall bound; past it the reset reports `failed`. */
  timeoutMs: number;
  /** 'zone': asked on a zone topic (only that zone's things are cleaned); 'system': the system topic or the CLI. */
  scope: 'system' | 'zone';
}

export type ResetPhase = 'starting' | 'cleanup' | 'reinit' | 'complete' | 'failed';

export interface ResetProgress {
  mpv_processes_killed: number;
  sockets_cleaned: number;
  sinks_unloaded: number;
  devices_reinitialized: number;
}

/** Published on `{system topic}/events`, one message per phase. */
export interface ResetStatus {
  timestamp: string;
  type: 'system_reset_status';
  id: string | null;
  phase: ResetPhase;
  progress: ResetProgress;
  errors: string[];
  duration_ms: number;
}

export const emptyProgress = (): ResetProgress => ({
  mpv_processes_killed: 0,
  sockets_cleaned: 0,
  sinks_unloaded: 0,
  devices_reinitialized: 0,
});
