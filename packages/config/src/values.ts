// Checks for string values shared by several sections. Each returns an error message or null.
import path from 'node:path';

/** A topic we publish under: no wildcards (they are illegal in publish topics) and no empty levels. */
export function topicProblem(topic: string): string | null {
  if (topic.includes('+') || topic.includes('#'))
    return `topic ${JSON.stringify(topic)} must not contain the MQTT wildcards + or #`;
  if (topic.includes('\0')) return 'topic must not contain NUL characters';
  if (topic.startsWith('/') || topic.endsWith('/') || topic.includes('//')) {
    return `topic ${JSON.stringify(topic)} must not start or end with "/" nor contain empty levels`;
  }
  if (Buffer.byteLength(topic) > 32_000) return 'topic is too long';
  return null;
}

/** One topic level (device_name): also no "/". */
export function topicLevelProblem(level: string): string | null {
  if (level.includes('/')) return `${JSON.stringify(level)} must be a single topic level (no "/")`;
  return topicProblem(level);
}

/** Zone names end up in topics, socket file names and log lines. */
export function zoneNameProblem(name: string): string | null {
  if (name === '') return 'zone name is empty: write the section as [audio:NAME]';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    return `zone name ${JSON.stringify(name)} may only use letters, digits, "_", "-" and "." (up to 64, starting with a letter or digit)`;
  }
  return null;
}

/** Host name, IPv4, or IPv6 (bare or in brackets). */
export function hostProblem(host: string): string | null {
  if (/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) return null;
  if (/^\[?[0-9A-Fa-f:.]+\]?$/.test(host) && host.includes(':')) return null;
  return `${JSON.stringify(host)} is not a valid host name or address`;
}

export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Relative paths in a config file are relative to the file's folder, as a reader would expect. */
export function resolveFromConfig(baseDir: string, p: string): string {
  return path.resolve(baseDir, p);
}

export function isInside(base: string, target: string): boolean {
  const rel = path.relative(base, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Splits an option string the way a shell would split words, quotes included, without
 * interpreting anything else: the result goes into an argv array, never into a shell.
 */
export function splitArgs(text: string): { args: string[]; error?: string } {
  const args: string[] = [];
  let current = '';
  let quote: string | null = null;
  let inWord = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) return { args, error: `unclosed ${quote} quote` };
  if (inWord) args.push(current);
  return { args };
}
