// The Logger the rest of mpvisor uses: five levels, structured fields, children that add fields, and a
// flush for shutdown. Log calls never throw: a logging bug must not turn into a supervisor crash.
import winston from 'winston';
import { detectLogMode, type LogMode, type OutputLike, type ResolvedLogMode } from './detect.js';
import { LEVELS, type LevelName, normalizeLevel } from './levels.js';
import { renderJournal, renderJson, renderPretty, type LogRecord } from './render.js';
import { LineTransport, type RecordInfo } from './transport.js';

export type Fields = Record<string, unknown>;

export interface LoggerOptions {
  /** error | warn | info | debug | trace (aliases: warning, silly...). Default info. */
  level?: string;
  mode?: LogMode;
  /** Default process.stdout. */
  stream?: NodeJS.WritableStream;
  /** Fields on every line, e.g. { component: 'supervisor' }. */
  base?: Fields;
  /** Colour the level in pretty mode. Default: when the stream is a TTY and NO_COLOR is unset. */
  colour?: boolean;
}

export interface Logger {
  error(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
  trace(msg: string, fields?: Fields): void;
  /** A logger whose lines carry these fields too; shares level, stream and flush with its parent. */
  child(fields: Fields): Logger;
  /** Changes the level of the whole logger family (parent and children). Throws RangeError if unknown. */
  setLevel(level: string): void;
  readonly level: LevelName;
  readonly mode: ResolvedLogMode;
  isLevelEnabled(level: string): boolean;
  /** Resolves once every line logged so far reached the stream; never rejects; bounded by timeoutMs. */
  flush(timeoutMs?: number): Promise<void>;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

interface Family {
  winston: winston.Logger;
  transport: LineTransport;
  level: LevelName;
  mode: ResolvedLogMode;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const stream = opts.stream ?? process.stdout;
  const requested = opts.mode ?? 'auto';
  // Cast: Any writable stream may carry isTTY and an fd; OutputLike reads them as optional.
  const mode = requested === 'auto' ? detectLogMode(process.env, stream as OutputLike) : requested;
  const colour = opts.colour ?? (Boolean((stream as OutputLike).isTTY) && !process.env.NO_COLOR);
  const render = pickRenderer(mode, colour);
  const level = normalizeLevel(opts.level ?? 'info');
  const transport = new LineTransport(stream, render);
  const logger = winston.createLogger({
    levels: { ...LEVELS },
    level,
    // Rendering happens in the transport; winston's default json() format would only cost time.
    format: winston.format((info) => info)(),
    transports: [transport],
    exitOnError: false,
  });
  // Errors surfacing from winston's pipe must not become unhandled 'error' events.
  logger.on('error', () => undefined);
  return new FieldLogger({ winston: logger, transport, level, mode }, { ...(opts.base ?? {}) });
}

function pickRenderer(mode: ResolvedLogMode, colour: boolean): (rec: LogRecord) => string {
  switch (mode) {
    case 'journal':
      return renderJournal;
    case 'pretty':
      return (rec) => renderPretty(rec, colour);
    case 'json':
      return renderJson;
  }
}

class FieldLogger implements Logger {
  constructor(
    private readonly family: Family,
    private readonly bound: Fields,
  ) {}

  get level(): LevelName {
    return this.family.level;
  }

  get mode(): ResolvedLogMode {
    return this.family.mode;
  }

  error(msg: string, fields?: Fields): void {
    this.write('error', msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    this.write('warn', msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    this.write('info', msg, fields);
  }
  debug(msg: string, fields?: Fields): void {
    this.write('debug', msg, fields);
  }
  trace(msg: string, fields?: Fields): void {
    this.write('trace', msg, fields);
  }

  child(fields: Fields): Logger {
    return new FieldLogger(this.family, merge(this.bound, fields));
  }

  setLevel(level: string): void {
    const name = normalizeLevel(level);
    this.family.level = name;
    this.family.winston.level = name;
  }

  isLevelEnabled(level: string): boolean {
    try {
      return LEVELS[normalizeLevel(level)] <= LEVELS[this.family.level];
    } catch {
      return false;
    }
  }

  flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    return this.family.transport.flush(timeoutMs);
  }

  private write(level: LevelName, msg: string, fields: Fields | undefined): void {
    // Same test winston applies in the transport, done first so flush() counts exactly what is written.
    if (LEVELS[level] > LEVELS[this.family.level]) return;
    const { transport } = this.family;
    transport.expect();
    try {
      const message = typeof msg === 'string' ? msg : String(msg);
      const record: LogRecord = {
        time: new Date(),
        level,
        message,
        fields: fields ? merge(this.bound, fields) : this.bound,
      };
      const info: RecordInfo = { level, message, record };
      this.family.winston.log(info);
    } catch {
      transport.cancel();
    }
  }
}

/** Spreading runs getters, which may throw: keep the line (and say why fields are missing) instead. */
function merge(bound: Fields, fields: Fields): Fields {
  try {
    return { ...bound, ...fields };
  } catch (err) {
    let reason: string;
    try {
      reason = err instanceof Error ? err.message : String(err);
    } catch {
      reason = 'unknown';
    }
    return { ...bound, log_fields_error: `fields could not be read: ${reason}` };
  }
}
