// The loaded configuration. Keys keep the INI's snake_case spelling so that a user reading
// `mpvisor config check --json` recognises them; every time is normalised to milliseconds.

export type Severity = 'error' | 'warning';

export interface ConfigProblem {
  severity: Severity;
  /** Section name without brackets, e.g. `audio:lobby`; '' for the file itself. */
  section: string;
  key?: string;
  line?: number;
  message: string;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type ZoneKind = 'audio' | 'screen' | 'combined-audio';
export type RestartType = 'permanent' | 'transient' | 'temporary';
export type AudioFallback = 'null' | 'fail';

export interface TlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
  reject_unauthorized: boolean;
}

export interface MqttConfig {
  embedded: boolean;
  broker: string;
  port: number;
  /** mqtt://host:port or mqtts://host:port */
  url: string;
  username?: string;
  password?: string;
  client_id: string;
  keepalive_s: number;
  clean_session: boolean;
  base_topic: string;
  device_name: string;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. Always 4 with the embedded broker. */
  protocol_version: 4 | 5;
  /** MQTT 5 Response Topics are answered only under this topic (never on it). */
  reply_prefix: string;
  tls?: TlsConfig;
}

export interface GlobalConfig {
  log_level: LogLevel;
  message_level: string;
  media_base_path: string;
  heartbeat_enabled: boolean;
  heartbeat_interval_ms: number;
  heartbeat_topic: string;
  ducking_adjust: number;
  max_volume: number;
  mpv_path: string;
  run_dir?: string;
  state_dir?: string;
  audio_fallback: AudioFallback;
  /** ParadoxFX keys accepted for compatibility but not used by mpvisor. */
  extra: Record<string, string>;
}

export interface RestartPolicyConfig {
  restart_type: RestartType;
  restart_backoff_initial_ms: number;
  restart_backoff_max_ms: number;
  restart_backoff_factor: number;
  restart_jitter: number;
  max_restarts: number;
  restart_window_ms: number;
  stable_after_ms: number;
  startup_timeout_ms: number;
  heartbeat_timeout_ms: number;
  health_interval_ms: number;
  stop_timeout_ms: number;
  max_rss_mb?: number;
  max_cpu_percent?: number;
  restart_on_resource_limit: boolean;
}

export interface SystemConfig {
  topic: string;
  reset_timeout_ms: number;
  auto_reset_enabled: boolean;
  auto_reset_threshold: number;
  keep_alive_enabled: boolean;
  keep_alive_interval_ms: number;
  allow_host_commands: boolean;
  warm_spares: number;
  restart: RestartPolicyConfig;
}

export interface ZoneConfig {
  /** The section id after the colon: `[audio:lobby]` -> `lobby`. */
  name: string;
  kind: ZoneKind;
  /** Section name without brackets, e.g. `audio:lobby`. */
  section: string;
  /** Line of the section header. */
  line: number;
  topic: string;
  enabled: boolean;
  /** Absolute; always inside global.media_base_path. */
  media_dir: string;
  /** mpv --audio-device value; undefined means mpv's default device. */
  audio_device?: string;
  /** ParadoxFX's `volume`: the base of every role whose own *_volume key is absent (the zone master starts at 100). */
  volume: number;
  max_volume: number;
  background_volume: number;
  speech_volume: number;
  effects_volume: number;
  video_volume: number;
  ducking_adjust: number;
  /** ParadoxFX's speech_ducking / video_ducking: the default `ducking` of a speech or video item (0 = no duck). */
  speech_ducking?: number;
  video_ducking?: number;
  combined_sinks: string[];
  primary_device?: string;
  secondary_device?: string;
  effects_pool_size: number;
  display?: string;
  xinerama_screen?: number;
  target_monitor?: number;
  /** As written, relative to media_dir. */
  default_image?: string;
  mpv_audio_options: string[];
  mpv_video_options: string[];
  video_queue_max: number;
  audio_queue_max: number;
  restart: RestartPolicyConfig;
}

export interface MpvisorConfig {
  /** Absolute path of the INI file, or null for the built-in demo. */
  source: string | null;
  mqtt: MqttConfig;
  global: GlobalConfig;
  system: SystemConfig;
  /** In file order, disabled zones included. */
  zones: ZoneConfig[];
  /** Warnings only: any error makes loading fail. */
  problems: ConfigProblem[];
}

export interface ParseOptions {
  /** Path shown in messages; relative paths in the file resolve against its folder. */
  sourceName?: string;
  /** For `${VAR}` expansion in values; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ParseResult {
  config: MpvisorConfig | null;
  problems: ConfigProblem[];
}
