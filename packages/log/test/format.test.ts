// Each output mode's line format, end to end through createLogger and a PassThrough stream.
import { describe, expect, it } from '@jest/globals';
import { capture, parseJsonLines } from './helpers.js';

describe('json mode', () => {
  it('writes one JSON object per line with timestamp, level, message and fields', async () => {
    const { log, lines } = capture({ mode: 'json', base: { component: 'supervisor' } });
    log.info('zone started', { zone: 'zone1', pid: 42 });
    const [rec] = parseJsonLines(await lines());
    expect(rec).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      message: 'zone started',
      component: 'supervisor',
      zone: 'zone1',
      pid: 42,
    });
  });

  it('renders an err field with its stack and code', async () => {
    const { log, lines } = capture({ mode: 'json' });
    const err = Object.assign(new Error('spawn failed'), { code: 'ENOENT' });
    log.error('worker failed', { err });
    const [rec] = parseJsonLines(await lines());
    expect(rec?.err).toMatchObject({ name: 'Error', message: 'spawn failed', code: 'ENOENT' });
    expect(String((rec?.err as { stack?: string } | undefined)?.stack)).toContain('format.test.ts');
  });

  it('does not let a field named level or message overwrite the line own keys', async () => {
    const { log, lines } = capture({ mode: 'json' });
    log.warn('real message', { level: 'fake', message: 'fake' });
    const [rec] = parseJsonLines(await lines());
    expect(rec).toMatchObject({ level: 'warn', message: 'real message', field_level: 'fake', field_message: 'fake' });
  });
});

describe('pretty mode', () => {
  it('writes "HH:MM:SS.mmm LEVEL [zone/role] message key=value"', async () => {
    const { log, lines } = capture({ mode: 'pretty', colour: false });
    log.child({ zone: 'zone1', role: 'mpv' }).warn('stderr line', { text: 'audio underrun', n: 3 });
    expect(await lines()).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[zone1\/mpv\] stderr line text="audio underrun" n=3$/),
    ]);
  });

  it('prints the stack of an err field on indented lines after the message', async () => {
    const { log, lines } = capture({ mode: 'pretty', colour: false });
    log.error('boom', { err: new Error('bad thing'), zone: 'z2' });
    const out = await lines();
    expect(out[0]).toMatch(/ERROR \[z2\] boom err="bad thing"$/);
    expect(out[1]).toBe('  Error: bad thing');
    expect(out[2]).toMatch(/^ {6}at /);
  });

  it('colours the level only when asked', async () => {
    const { log, lines } = capture({ mode: 'pretty', colour: true });
    log.error('red');
    expect((await lines())[0]).toContain('\x1b[31mERROR\x1b[0m');
  });
});

describe('journal mode', () => {
  it('prefixes the syslog priority, adds no timestamp, names the zone', async () => {
    const { log, lines } = capture({ mode: 'journal', level: 'trace' });
    const zone = log.child({ zone: 'zone1' });
    zone.error('e');
    zone.warn('w');
    zone.info('i', { state: 'playing' });
    zone.debug('d');
    zone.trace('t');
    log.info('no zone');
    expect(await lines()).toEqual([
      '<3>[zone1] e',
      '<4>[zone1] w',
      '<6>[zone1] i state=playing',
      '<7>[zone1] d',
      '<7>[zone1] t',
      '<6>no zone',
    ]);
  });

  it('prefixes every line of a multi-line record so journald keeps its priority', async () => {
    const { log, lines } = capture({ mode: 'journal' });
    log.error('first\nsecond', { err: new Error('x') });
    const out = await lines();
    expect(out.length).toBeGreaterThan(3);
    for (const line of out) expect(line.startsWith('<3>')).toBe(true);
    expect(out[0]).toBe('<3>first');
    expect(out[1]).toBe('<3>second err="x"');
  });

  it('shows role as an ordinary field when there is no zone', async () => {
    const { log, lines } = capture({ mode: 'journal' });
    log.info('hello', { role: 'supervisor' });
    expect(await lines()).toEqual(['<6>hello role=supervisor']);
  });
});
