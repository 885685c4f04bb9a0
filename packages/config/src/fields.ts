// Typed reads from one INI section. Every read marks the key as known, so that whatever is left
// at the end can be reported as unknown. A bad value is reported and the default is returned,
// so that one pass finds every problem in the file.
import type { IniEntry, IniSection } from './ini-parse.js';
import type { Problems } from './problems.js';

const INT = /^[+-]?\d+$/;
const NUM = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

export interface Range {
  min?: number;
  max?: number;
}

function rangeText(r: Range): string {
  if (r.min !== undefined && r.max !== undefined) return `between ${r.min} and ${r.max}`;
  if (r.min !== undefined) return `at least ${r.min}`;
  return `at most ${r.max}`;
}

export class SectionReader {
  private readonly used = new Set<string>();

  constructor(
    readonly section: IniSection | undefined,
    readonly name: string,
    private readonly problems: Problems,
  ) {}

  get line(): number | undefined {
    return this.section?.line;
  }

  /** The entry, marked as known. */
  entry(key: string): IniEntry | undefined {
    this.used.add(key);
    return this.section?.entries.get(key);
  }

  has(key: string): boolean {
    return this.section?.entries.has(key) ?? false;
  }

  /** Line of the key if present, else of the section header. */
  lineOf(key: string): number | undefined {
    return this.section?.entries.get(key)?.line ?? this.section?.line;
  }

  error(key: string | undefined, message: string, line?: number): void {
    this.problems.error(this.name, key, line ?? (key ? this.lineOf(key) : this.line), message);
  }

  warn(key: string | undefined, message: string, line?: number): void {
    this.problems.warn(this.name, key, line ?? (key ? this.lineOf(key) : this.line), message);
  }

  /** Raw value; '' when written empty (`media_dir = `), undefined when absent. */
  raw(key: string): string | undefined {
    return this.entry(key)?.value;
  }

  /** Non-empty value or undefined: ParadoxFX files use `key =` to mean "not set". */
  string(key: string): string | undefined {
    const v = this.raw(key);
    return v === undefined || v === '' ? undefined : v;
  }

  int(key: string, def: number, range: Range = {}): number {
    return this.optInt(key, range) ?? def;
  }

  optInt(key: string, range: Range = {}): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!INT.test(v)) return this.bad(key, `expected a whole number, got ${JSON.stringify(v)}`);
    return this.inRange(key, Number(v), range);
  }

  num(key: string, def: number, range: Range = {}): number {
    return this.optNum(key, range) ?? def;
  }

  optNum(key: string, range: Range = {}): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!NUM.test(v)) return this.bad(key, `expected a number, got ${JSON.stringify(v)}`);
    return this.inRange(key, Number(v), range);
  }

  bool(key: string, def: boolean): boolean {
    const v = this.string(key);
    if (v === undefined) return def;
    const lower = v.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    this.error(key, `expected true/false (or yes/no, on/off, 1/0), got ${JSON.stringify(v)}`);
    return def;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], def: T): T {
    const v = this.string(key);
    if (v === undefined) return def;
    const found = allowed.find((a) => a === v.toLowerCase());
    if (found !== undefined) return found;
    this.error(key, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return def;
  }

  /**
   * Milliseconds. A plain number is milliseconds (ParadoxFX's unit); `5s`, `2m`, `1h`, `250ms`
   * are accepted too because they are easier to read in a hand-written file.
   */
  duration(key: string, def: number, range: Range = {}): number {
    return this.optDuration(key, range) ?? def;
  }

  optDuration(key: string, range: Range = {}): number | undefined {
    const ms = this.durationValue(key);
    return ms === undefined ? undefined : this.inRange(key, ms, range, ' ms');
  }

  /** Parsed duration without range check, for callers that reinterpret small values. */
  durationValue(key: string): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const m = DURATION.exec(v);
    if (!m) return this.bad(key, `expected a duration in milliseconds (or with s/m/h), got ${JSON.stringify(v)}`);
    return Math.round(Number(m[1]) * (UNIT_MS[(m[2] ?? 'ms').toLowerCase()] ?? 1));
  }

  hasUnit(key: string): boolean {
    return /[a-z]\s*$/i.test(this.string(key) ?? '');
  }

  inRange(key: string, n: number, range: Range, unit = ''): number | undefined {
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
      return this.bad(key, `${n}${unit} is out of range: must be ${rangeText(range)}${unit}`);
    }
    return n;
  }

  private bad(key: string, message: string): undefined {
    this.error(key, message);
    return undefined;
  }

  /** Entries never read. Call last. */
  unread(): IniEntry[] {
    if (!this.section) return [];
    return [...this.section.entries.values()].filter((e) => !this.used.has(e.key));
  }
}
