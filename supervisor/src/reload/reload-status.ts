/** Phases of a config reload, one `system_reload_status` message each on `{system topic}/events`. */
export type ReloadPhase = 'starting' | 'validated' | 'applying' | 'complete' | 'failed';

export interface ReloadProgress {
  zones_added: number;
  zones_removed: number;
  zones_restarted: number;
  zones_changed_in_place: number;
  mqtt_reconnected: boolean;
}

export interface ReloadStatus {
  timestamp: string;
  type: 'system_reload_status';
  id: string | null;
  phase: ReloadPhase;
  file: string | null;
  progress: ReloadProgress;
  errors: string[];
  duration_ms: number;
}

export const emptyReloadProgress = (): ReloadProgress => ({
  zones_added: 0,
  zones_removed: 0,
  zones_restarted: 0,
  zones_changed_in_place: 0,
  mqtt_reconnected: false,
});
