import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { readBootstrap } from '../src/bootstrap.js';

const spare = {
  token: 'a'.repeat(32),
  socketPath: '/run/x/workers.sock',
  mpvPath: 'mpv',
  runDir: '/run/x',
  stateDir: '/var/lib/x',
  logLevel: 'info',
  heartbeatIntervalMs: 1000,
  audioFallback: 'null',
  zone: null,
  spare: { audioArgs: [], video: null },
};

describe('readBootstrap: the first line of stdin', () => {
  it('resolves with the first line, even split over chunks, and leaves the stream flowing for the EOF watch', async () => {
    const input = new PassThrough();
    const read = readBootstrap(input, 2000);
    const line = `${JSON.stringify(spare)}\n`;
    input.write(line.slice(0, 10));
    input.write(line.slice(10));
    await expect(read).resolves.toMatchObject({ token: spare.token, zone: null });
    const ended = new Promise((resolve) => input.on('end', resolve));
    input.end();
    await expect(ended).resolves.toBeUndefined();
  });

  it('a character split between two chunks arrives whole', async () => {
    const input = new PassThrough();
    const read = readBootstrap(input, 2000);
    const line = Buffer.from(`${JSON.stringify({ ...spare, socketPath: '/run/Bühne/workers.sock' })}\n`);
    const cut = line.indexOf('ü') + 1;
    input.write(line.subarray(0, cut));
    input.write(line.subarray(cut));
    await expect(read).resolves.toMatchObject({ socketPath: '/run/Bühne/workers.sock' });
  });

  it('says why when stdin ends first, stays silent too long, or the line lacks a token', async () => {
    const closed = new PassThrough();
    const early = readBootstrap(closed, 2000);
    closed.end('{"zone":null');
    await expect(early).rejects.toThrow(
      'stdin ended before a bootstrap line: zone workers are started by `mpvisor run`',
    );
    await expect(readBootstrap(new PassThrough(), 50)).rejects.toThrow('no bootstrap line on stdin within 50 ms');
    const noToken = new PassThrough();
    const bad = readBootstrap(noToken, 2000);
    noToken.write(`${JSON.stringify({ ...spare, token: '' })}\n`);
    await expect(bad).rejects.toThrow('the bootstrap on stdin is not valid: token');
  });
});
