// A small INI reader that keeps the line of every key. It follows what ParadoxFX files need
// (they were written for the `ini` npm package): `#`/`;` comment lines, inline comments after
// values, trailing spaces, empty values, quoted values. Sections are kept in file order and
// never merged here: the caller decides whether a repeated section is an error.
import type { Problems } from './problems.js';

export interface IniEntry {
  key: string;
  value: string;
  line: number;
}

export interface IniSection {
  /** Header text without brackets, trimmed; '' for keys before the first header. */
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
  /** The header itself was malformed (already reported); its keys are not checked. */
  broken: boolean;
}

export interface IniDocument {
  sections: IniSection[];
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Cuts an inline comment: `#` or `;` at the start of the value or after whitespace. A `#` inside
 * a word (`pass#word`) is kept, which is kinder to passwords than the `ini` package.
 */
function stripInlineComment(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if ((ch === '#' || ch === ';') && (i === 0 || /\s/.test(value[i - 1] ?? ''))) {
      return value.slice(0, i);
    }
  }
  return value;
}

interface ValueParse {
  value: string;
  expand: boolean;
  note?: string;
}

function parseValue(rawValue: string): ValueParse {
  const trimmed = rawValue.trim();
  const quote = trimmed[0];
  if (quote === '"' || quote === "'") {
    const close = trimmed.indexOf(quote, 1);
    if (close > 0) {
      const rest = stripInlineComment(trimmed.slice(close + 1)).trim();
      const parsed: ValueParse = { value: trimmed.slice(1, close), expand: quote === '"' };
      if (rest !== '') parsed.note = `text after the closing quote is ignored: ${JSON.stringify(rest)}`;
      return parsed;
    }
  }
  return { value: stripInlineComment(trimmed).trim(), expand: true };
}

function expandEnv(value: string, env: NodeJS.ProcessEnv, onMissing: (name: string) => void): string {
  return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    onMissing(name);
    return '';
  });
}

export function parseIni(text: string, problems: Problems, env: NodeJS.ProcessEnv): IniDocument {
  const sections: IniSection[] = [];
  let current: IniSection = { name: '', line: 0, entries: new Map(), broken: false };
  sections.push(current);

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;

    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      const after = close > 0 ? stripInlineComment(line.slice(close + 1)).trim() : '';
      const name = close > 0 ? line.slice(1, close).trim() : '';
      const broken = close < 0 || after !== '' || name === '';
      if (broken) {
        problems.error(
          name || line,
          undefined,
          lineNo,
          `malformed section header ${JSON.stringify(line)}; expected [type:name]`,
        );
      }
      current = { name: name || line, line: lineNo, entries: new Map(), broken };
      sections.push(current);
      return;
    }

    const eq = line.indexOf('=');
    const sectionName = current.name;
    if (eq < 0) {
      if (!current.broken) {
        problems.warn(sectionName, undefined, lineNo, `expected "key = value", line ignored: ${JSON.stringify(line)}`);
      }
      return;
    }
    const key = line.slice(0, eq).trim();
    if (key === '') {
      if (!current.broken) problems.warn(sectionName, undefined, lineNo, 'value without a key, line ignored');
      return;
    }
    const parsed = parseValue(line.slice(eq + 1));
    if (parsed.note && !current.broken) problems.warn(sectionName, key, lineNo, parsed.note);
    const value = parsed.expand
      ? expandEnv(parsed.value, env, (name) =>
          problems.error(
            sectionName,
            key,
            lineNo,
            `environment variable ${name} is not set (use \${${name}:-default} for a fallback)`,
          ),
        )
      : parsed.value;

    const previous = current.entries.get(key);
    if (previous && !current.broken) {
      problems.warn(sectionName, key, lineNo, `key repeated; this value overrides line ${previous.line}`);
    }
    current.entries.set(key, { key, value, line: lineNo });
  });

  // The implicit top-level section only matters when it holds keys.
  const first = sections[0];
  if (first && first.entries.size === 0) sections.shift();
  return { sections };
}
