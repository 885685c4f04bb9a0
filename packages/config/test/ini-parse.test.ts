import { describe, expect, it } from '@jest/globals';
import { parseIni } from '../src/ini-parse.js';
import { Problems } from '../src/problems.js';
import { errors, ini, ok, warnings } from './helpers.js';

function doc(text: string, env: NodeJS.ProcessEnv = {}) {
  const problems = new Problems();
  const d = parseIni(text, problems, env);
  const get = (section: string, key: string) => d.sections.find((s) => s.name === section)?.entries.get(key);
  return { d, get, problems: problems.sorted() };
}

describe('parseIni', () => {
  it('keeps the line of every key and every section', () => {
    const { d, get } = doc(ini('# head', '', '[mqtt]', 'broker = a', '', '; note', '[audio:x]', '  volume=  80  '));
    expect(d.sections.map((s) => [s.name, s.line])).toEqual([
      ['mqtt', 3],
      ['audio:x', 7],
    ]);
    expect(get('mqtt', 'broker')).toEqual({ key: 'broker', value: 'a', line: 4 });
    expect(get('audio:x', 'volume')).toEqual({ key: 'volume', value: '80', line: 8 });
  });

  it('strips # and ; comments after whitespace but keeps them inside a word', () => {
    const { get } = doc(
      ini('[s]', 'a = debug  #info', 'b = x ; y', 'c = pass#word', 'd = # not required', 'e =', 'f=v;w'),
    );
    expect(get('s', 'a')?.value).toBe('debug');
    expect(get('s', 'b')?.value).toBe('x');
    expect(get('s', 'c')?.value).toBe('pass#word');
    expect(get('s', 'd')?.value).toBe('');
    expect(get('s', 'e')?.value).toBe('');
    expect(get('s', 'f')?.value).toBe('v;w');
  });

  it('accepts quoted values, CRLF line ends and a BOM', () => {
    const { get } = doc('\uFEFF[s]\r\na = "x # y"  # comment\r\nb = \'${HOME}\'\r\nc = ""\r\n', { HOME: '/h' });
    expect(get('s', 'a')).toMatchObject({ value: 'x # y', line: 2 });
    expect(get('s', 'b')?.value).toBe('${HOME}'); // single quotes are literal
    expect(get('s', 'c')?.value).toBe('');
  });

  it('expands ${VAR} and ${VAR:-default} from the given environment', () => {
    const { get, problems } = doc(ini('[s]', 'a = ${USER_X}', 'b = ${NOPE:-fallback}', 'c = x${MISSING}y'), {
      USER_X: 'me',
    });
    expect(get('s', 'a')?.value).toBe('me');
    expect(get('s', 'b')?.value).toBe('fallback');
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', section: 's', key: 'c', line: 4 })]);
    expect(problems[0]?.message).toContain('MISSING');
  });

  it('warns about repeated keys and lines without "=", and rejects broken headers', () => {
    const { problems } = doc(ini('[s]', 'a = 1', 'a = 2', 'junk', '[broken', 'x = 1'));
    expect(problems.map((p) => [p.severity, p.line])).toEqual([
      ['warning', 3],
      ['warning', 4],
      ['error', 5],
    ]);
  });
});

describe('parseConfigText on odd input', () => {
  it('accepts an empty file with a warning (no zones)', () => {
    const c = ok('');
    expect(c.zones).toEqual([]);
    expect(c.problems.map((p) => p.message)).toEqual([expect.stringContaining('no enabled zones')]);
  });

  it('never throws, even on binary garbage', () => {
    expect(() => errors('\0\0[\u0001]=\n[a:b\n=\n')).not.toThrow();
  });

  it('warns about keys before the first section', () => {
    expect(warnings(ini('stray = 1', '[audio:a]'))).toContainEqual(
      expect.objectContaining({ section: '', key: 'stray', line: 1 }),
    );
  });

  it('merges a repeated [global] section with a warning, later values win', () => {
    const text = ini('[global]', 'max_volume = 120', '[audio:a]', '[global]', 'max_volume = 130');
    const c = ok(text);
    expect(c.global.max_volume).toBe(130);
    expect(c.problems).toContainEqual(expect.objectContaining({ section: 'global', line: 4 }));
  });

  it('accepts every boolean spelling', () => {
    const spellings: [string, boolean][] = [
      ['true', true],
      ['yes', true],
      ['1', true],
      ['on', true],
      ['TRUE', true],
      ['false', false],
      ['no', false],
      ['0', false],
      ['off', false],
      ['Off', false],
    ];
    for (const [word, value] of spellings) {
      expect(ok(ini('[audio:a]', `enabled = ${word}`)).zones[0]?.enabled).toBe(value);
    }
  });
});
