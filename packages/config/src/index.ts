// @mpvisor/config: ParadoxFX-compatible INI loading, validation with line numbers, the
// built-in demo, and the media-folder boundary check shared by supervisor and workers.
export type {
  AudioFallback,
  ConfigProblem,
  GlobalConfig,
  LogLevel,
  MpvisorConfig,
  MqttConfig,
  ParseOptions,
  ParseResult,
  RestartPolicyConfig,
  RestartType,
  Severity,
  SystemConfig,
  TlsConfig,
  ZoneConfig,
  ZoneKind,
} from './types.js';
export { ConfigError, formatProblem } from './problems.js';
export { parseConfigText } from './parse-config.js';
export { wantsOwnSink } from './zones.js';
export { loadConfigFile } from './load.js';
export { diffConfigs, ROLE_VOLUME_KEYS, sameValue } from './diff.js';
export type { ConfigDiff, ZoneChange } from './diff.js';
export { demoConfig, ensureDemoMedia, DEMO_SAMPLE_RATE } from './demo.js';
export { resolveMediaPath, resolveMediaFile } from './media-path.js';
export { videoArgs } from './video-args.js';
export type { MediaPathResult, MediaFileResult } from './media-path.js';
export { RESTART_DEFAULTS, backoffDelay, restartBackoff, restartDelay, crashLoopSpanMs } from './restart.js';
