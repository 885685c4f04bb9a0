import { describe, expect, test } from '@jest/globals';
import { parseConsoleConfig } from '../src/console-config.js';
import { LoginThrottle } from '../src/login-throttle.js';
import { hashPassword, isPasswordHash, verifyPassword } from '../src/password-hash.js';
import { Sessions } from '../src/sessions.js';

describe('password hash', () => {
  test('verifies the password it was made from and nothing else', async () => {
    const hash = await hashPassword('s3cret-pass');
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword('s3cret-pass', hash)).toBe(true);
    expect(await verifyPassword('s3cret-pasS', hash)).toBe(false);
    expect(await verifyPassword('s3cret-pass', 'plain text')).toBe(false);
    expect(await hashPassword('s3cret-pass')).not.toBe(hash);
  }, 30_000);
});

describe('sessions', () => {
  test('expire ttl after login, however much they are used', () => {
    let now = 1000;
    const sessions = new Sessions(60_000, () => now);
    const s = sessions.create('anna', '10.0.0.2');
    expect(sessions.get(s.token)?.operator).toBe('anna');
    now += 59_999;
    expect(sessions.get(s.token)).not.toBeNull();
    now += 1;
    expect(sessions.get(s.token)).toBeNull();
    expect(sessions.get('guess')).toBeNull();
    expect(sessions.get(undefined)).toBeNull();
  });

  test('end() logs out', () => {
    const sessions = new Sessions(60_000);
    const s = sessions.create('ben', '::1');
    sessions.end(s.token);
    expect(sessions.get(s.token)).toBeNull();
  });
});

describe('login throttle', () => {
  test('five wrong passwords a minute block that address only, until the window passes', () => {
    let now = 0;
    const t = new LoginThrottle(() => now);
    for (let i = 0; i < 5; i++) t.fail('10.0.0.9');
    expect(t.blocked('10.0.0.9')).toBe(true);
    expect(t.blocked('10.0.0.8')).toBe(false);
    now = 60_001;
    expect(t.blocked('10.0.0.9')).toBe(false);
  });
});

describe('console config', () => {
  test('defaults: loopback, port 8080, every topic, 12 h sessions', () => {
    expect(parseConsoleConfig({})).toMatchObject({
      bind: '127.0.0.1',
      port: 8080,
      session_ttl_s: 43_200,
      mqtt: { url: 'mqtt://127.0.0.1:1883', filters: ['#'], protocol_version: 5 },
    });
  });

  test('another address needs a password hash; bad values are named', async () => {
    expect(() => parseConsoleConfig({ bind: '0.0.0.0' })).toThrow('password_hash is required');
    expect(() => parseConsoleConfig({ bind: '0.0.0.0', password_hash: 'secret' })).toThrow('password_hash: not a hash');
    expect(parseConsoleConfig({ bind: '0.0.0.0', password_hash: await hashPassword('long enough') }).bind).toBe(
      '0.0.0.0',
    );
    expect(() => parseConsoleConfig({ port: 70000, mqtt: { url: 'http://x' } })).toThrow(
      /port: .*; mqtt\.url: mqtt:\/\/host:port/,
    );
    expect(() => parseConsoleConfig({ colour: 'red' })).toThrow('colour');
  }, 30_000);
});
