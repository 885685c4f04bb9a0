// Levels, child fields, safety of log calls, and flush().
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, normalizeLevel } from '../src/index.js';
import { capture, parseJsonLines } from './helpers.js';

describe('levels', () => {
  it('filters below the level and follows setLevel', async () => {
    const { log, lines } = capture({ level: 'warn' });
    log.info('hidden');
    log.warn('shown');
    log.setLevel('trace');
    log.trace('now shown');
    log.setLevel('error');
    log.warn('hidden again');
    log.error('still shown');
    expect(parseJsonLines(await lines()).map((r) => r.message)).toEqual(['shown', 'now shown', 'still shown']);
    expect(log.level).toBe('error');
  });

  it('applies setLevel to the whole family', async () => {
    const { log, lines } = capture({ level: 'info' });
    const child = log.child({ zone: 'z' });
    child.setLevel('debug');
    log.debug('parent debug');
    expect(log.isLevelEnabled('debug')).toBe(true);
    expect(parseJsonLines(await lines()).map((r) => r.message)).toEqual(['parent debug']);
  });

  it('accepts aliases and rejects unknown names', () => {
    expect(normalizeLevel('WARNING')).toBe('warn');
    expect(normalizeLevel('silly')).toBe('trace');
    expect(() => normalizeLevel('loud')).toThrow(RangeError);
    expect(() => createLogger({ level: 'loud' })).toThrow(RangeError);
  });
});

describe('child()', () => {
  it('adds fields; call fields win over bound ones; the parent is unchanged', async () => {
    const { log, lines } = capture({ base: { component: 'supervisor' } });
    const zone = log.child({ zone: 'zone1', role: 'worker' });
    const deeper = zone.child({ attempt: 2 });
    deeper.info('restart', { role: 'mpv' });
    log.info('parent');
    const [a, b] = parseJsonLines(await lines());
    expect(a).toMatchObject({ component: 'supervisor', zone: 'zone1', role: 'mpv', attempt: 2 });
    expect(b).not.toHaveProperty('zone');
  });
});

describe('log calls never throw', () => {
  it('survives circular structures, BigInt, throwing getters and toJSON', async () => {
    const { log, lines } = capture();
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const shared = { x: 1 };
    const hostile = {
      toJSON() {
        throw new Error('no json for you');
      },
    };
    const getter = Object.defineProperty({}, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(() => {
      log.info('circular', { circular, pair: [shared, shared] });
      log.info('bigint', { n: 2n ** 70n });
      log.info('hostile', { hostile, ok: 1 });
      log.info('getter', getter);
      log.info('undefined msg' as string, undefined);
      log.info(undefined as unknown as string);
      log.child(getter).info('child of getter');
    }).not.toThrow();
    const recs = parseJsonLines(await lines());
    expect(recs[0]).toMatchObject({ circular: { name: 'loop', self: '[Circular]' }, pair: [{ x: 1 }, { x: 1 }] });
    expect(recs[1]).toMatchObject({ n: '1180591620717411303424' });
    expect(recs[2]).toMatchObject({ ok: 1, hostile: expect.stringContaining('unserialisable') });
    expect(recs.map((r) => r.message)).toEqual([
      'circular',
      'bigint',
      'hostile',
      'getter',
      'undefined msg',
      'undefined',
      'child of getter',
    ]);
    expect(recs[3]).toMatchObject({ log_fields_error: 'fields could not be read: getter' });
  });

  it('survives a stream that errors', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('EPIPE-ish'));
      },
    });
    const log = createLogger({ mode: 'json', stream: broken });
    expect(() => {
      log.info('one');
      log.info('two');
    }).not.toThrow();
    await expect(log.flush(500)).resolves.toBeUndefined();
    log.info('after break');
    await log.flush(500);
  });
});

describe('flush()', () => {
  it('resolves only after every earlier line reached a slow stream', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, cb) {
        setTimeout(() => {
          received.push(chunk.toString());
          cb();
        }, 5);
      },
    });
    const log = createLogger({ mode: 'json', stream: slow });
    for (let i = 0; i < 20; i++) log.info(`line ${i}`);
    expect(received.length).toBeLessThan(20);
    await log.flush(5000);
    expect(received).toHaveLength(20);
  });

  it('is bounded by its timeout when the stream never drains', async () => {
    const stuck = new Writable({
      write() {
        // never calls back
      },
    });
    const log = createLogger({ mode: 'json', stream: stuck });
    log.info('stuck');
    const started = Date.now();
    await log.flush(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('resolves at once when nothing is pending, and ignores filtered lines', async () => {
    const { log } = capture({ level: 'error' });
    log.debug('filtered');
    const started = Date.now();
    await log.flush(1000);
    expect(Date.now() - started).toBeLessThan(50);
  });
});
