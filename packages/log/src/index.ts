export { createLogger, type Logger, type LoggerOptions, type Fields } from './logger.js';
export { detectLogMode, isJournalStream, type LogMode, type ResolvedLogMode, type OutputLike } from './detect.js';
export { LEVELS, SYSLOG_PRIORITY, normalizeLevel, type LevelName } from './levels.js';
export { renderJson, renderPretty, renderJournal, type LogRecord } from './render.js';
export { safeStringify } from './safe-json.js';
