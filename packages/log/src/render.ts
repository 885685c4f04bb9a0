// Turns one log record into text for each output mode. Pure functions of the record, so each format is
// tested without streams or clocks.
import { type LevelName, SYSLOG_PRIORITY } from './levels.js';
import { isErrorLike, safeStringify } from './safe-json.js';

export interface LogRecord {
  time: Date;
  level: LevelName;
  message: string;
  fields: Record<string, unknown>;
}

// JSON keys owned by the line itself; a field with one of these names is renamed, not allowed to clobber.
const RESERVED_JSON_KEYS = new Set(['timestamp', 'level', 'message']);

const COLOURS: Record<LevelName, string> = {
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};
const RESET = '\x1b[0m';

export function renderJson(rec: LogRecord): string {
  let out = `{"timestamp":${JSON.stringify(rec.time.toISOString())},"level":"${rec.level}","message":${JSON.stringify(rec.message)}`;
  for (const [key, value] of Object.entries(rec.fields)) {
    if (value === undefined) continue;
    const name = RESERVED_JSON_KEYS.has(key) ? `field_${key}` : key;
    // Serialised one field at a time so a single hostile value cannot cost the whole line.
    out += `,${JSON.stringify(name)}:${safeStringify(value)}`;
  }
  return out + '}\n';
}

export function renderPretty(rec: LogRecord, colour = false): string {
  const level = rec.level.toUpperCase().padEnd(5);
  const shownLevel = colour ? `${COLOURS[rec.level]}${level}${RESET}` : level;
  const { head, stacks } = textBody(rec);
  const lines = [`${clock(rec.time)} ${shownLevel} ${head}`];
  for (const stack of stacks) lines.push(...stack.split('\n').map((l) => `  ${l}`));
  return lines.join('\n') + '\n';
}

/** No timestamp (journald stamps each line itself); every physical line carries the priority. */
export function renderJournal(rec: LogRecord): string {
  const prefix = `<${SYSLOG_PRIORITY[rec.level]}>`;
  const { head, stacks } = textBody(rec);
  // journald splits records on newlines: unprefixed continuation lines would be logged at info.
  const lines = [head, ...stacks].join('\n').split('\n');
  return lines.map((l) => prefix + l).join('\n') + '\n';
}

/** "[zone/role] message key=value ..." plus the stacks of any Error fields, shared by text modes. */
function textBody(rec: LogRecord): { head: string; stacks: string[] } {
  const { zone, role, ...rest } = rec.fields;
  const hasZone = zone !== undefined && zone !== null && zone !== '';
  const parts: string[] = [];
  if (hasZone) parts.push(role !== undefined && role !== null && role !== '' ? `[${zone}/${role}]` : `[${zone}]`);
  parts.push(rec.message);
  const fields = hasZone ? rest : { ...rest, ...(role !== undefined ? { role } : {}) };
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (isErrorLike(value)) {
      parts.push(`${safeKey(key)}=${JSON.stringify(value.message)}`);
      if (value.stack) stacks.push(value.stack);
      continue;
    }
    parts.push(`${safeKey(key)}=${textValue(value)}`);
  }
  return { head: parts.join(' '), stacks };
}

function safeKey(key: string): string {
  return key.replace(/[\s="]/g, '_') || '_';
}

function textValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      // Bare when unambiguous, quoted (with \n escaped) when it would break key=value parsing.
      return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return value === null ? 'null' : safeStringify(value);
  }
}

function clock(t: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}.${p(t.getMilliseconds(), 3)}`;
}
