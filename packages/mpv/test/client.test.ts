import { describe, expect, it } from '@jest/globals';
import {
  MpvAbortError,
  MpvClient,
  MpvClosedError,
  MpvCommandError,
  MpvTimeoutError,
  type MpvEndFileEvent,
  type MpvEvent,
  type MpvProtocolWarning,
} from '../src/index.js';
import { FakePeer, nextTurn } from './fake-peer.js';

function setup(options: ConstructorParameters<typeof MpvClient>[1] = {}) {
  const peer = new FakePeer();
  const client = new MpvClient(peer.stream, options);
  return { peer, client };
}

describe('MpvClient request/reply matching', () => {
  it('matches replies by request_id with events interleaved', async () => {
    const { peer, client } = setup();
    const events: MpvEvent[] = [];
    const endFiles: MpvEndFileEvent[] = [];
    client.on('event', (e) => events.push(e));
    client.on('end-file', (e) => endFiles.push(e));

    const a = client.getProperty<string>('mpv-version');
    const b = client.getProperty<number>('volume');
    const c = client.command(['seek', 10]);
    const [ra, rb, rc] = await peer.waitForRequests(3);
    expect(ra).toEqual({ command: ['get_property', 'mpv-version'], request_id: expect.any(Number) });
    expect(new Set([ra?.request_id, rb?.request_id, rc?.request_id]).size).toBe(3);

    peer.send({ event: 'start-file', playlist_entry_id: 1 });
    peer.reply(rb!.request_id, 55.5); // out of order on purpose: matching is by id, not position
    peer.send({ event: 'end-file', reason: 'eof', playlist_entry_id: 1 });
    peer.reply(ra!.request_id, 'mpv 0.35.1');
    peer.send({ event: 'idle' });
    peer.reply(rc!.request_id);

    await expect(a).resolves.toBe('mpv 0.35.1');
    await expect(b).resolves.toBe(55.5);
    await expect(c).resolves.toBeUndefined();
    expect(events.map((e) => e.event)).toEqual(['start-file', 'end-file', 'idle']);
    expect(endFiles).toEqual([{ event: 'end-file', reason: 'eof', playlist_entry_id: 1 }]);
    expect(client.stats).toMatchObject({ malformedLines: 0, unmatchedReplies: 0, pendingRequests: 0 });
    client.close();
  });

  it('rejects with MpvCommandError carrying mpv error string and the command', async () => {
    const { peer, client } = setup();
    const p = client.getProperty('nosuch');
    const [r] = await peer.waitForRequests(1);
    peer.reply(r!.request_id, undefined, 'property not found');
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpvCommandError);
    expect(error).toMatchObject({ mpvError: 'property not found', command: ['get_property', 'nosuch'] });
    expect(String((error as Error).message)).toContain('property not found');
    client.close();
  });

  it('setProperty, loadfile (named arguments) and the command shapes they send', async () => {
    const { peer, client } = setup();
    const set = client.setProperty('pause', true);
    const load = client.loadfile('/media/a b,c.mp3', 'append-play', { volume: '50', start: '1,5' });
    const [rs, rl] = await peer.waitForRequests(2);
    expect(rs?.command).toEqual(['set_property', 'pause', true]);
    expect(rl?.command).toEqual({
      name: 'loadfile',
      url: '/media/a b,c.mp3',
      flags: 'append-play',
      options: { volume: '50', start: '1,5' },
    });
    peer.reply(rs!.request_id);
    peer.reply(rl!.request_id, { playlist_entry_id: 7 });
    await expect(set).resolves.toBeUndefined();
    await expect(load).resolves.toBe(7);
    client.close();
  });
});

describe('MpvClient input validation', () => {
  it('rejects a command that is not JSON-serializable without sending anything', async () => {
    const { peer, client } = setup();
    await expect(client.command(['set_property', 'volume', 10n])).rejects.toBeInstanceOf(TypeError);
    const ok = client.getProperty('volume');
    const [r] = await peer.waitForRequests(1);
    expect(peer.requests).toHaveLength(1);
    peer.reply(r!.request_id, 1);
    await expect(ok).resolves.toBe(1);
    client.close();
  });
});

describe('MpvClient timeouts and aborts', () => {
  it('times out a request and ignores its late reply', async () => {
    const warnings: MpvProtocolWarning[] = [];
    const { peer, client } = setup({ onProtocolWarning: (kind) => warnings.push(kind) });
    const started = Date.now();
    const p = client.getProperty('volume', { timeoutMs: 50 });
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpvTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);

    // The late reply must not be mistaken for the next request's answer.
    const next = client.getProperty('pause');
    const [late, second] = await peer.waitForRequests(2);
    peer.reply(late!.request_id, 100);
    peer.reply(second!.request_id, false);
    await expect(next).resolves.toBe(false);
    expect(warnings).toEqual([]);
    expect(client.stats.unmatchedReplies).toBe(0);
    client.close();
  });

  it('uses the client default timeout', async () => {
    const { client } = setup({ defaultTimeoutMs: 30 });
    await expect(client.command(['get_property', 'pid'])).rejects.toBeInstanceOf(MpvTimeoutError);
    client.close();
  });

  it('rejects with MpvAbortError when the signal fires, and at once if already aborted', async () => {
    const { peer, client } = setup();
    const controller = new AbortController();
    const p = client.getProperty('volume', { signal: controller.signal, timeoutMs: 10_000 });
    await peer.waitForRequests(1);
    controller.abort(new Error('zone stopped'));
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpvAbortError);
    expect((error as Error).cause).toEqual(new Error('zone stopped'));
    await expect(client.getProperty('volume', { signal: controller.signal })).rejects.toBeInstanceOf(MpvAbortError);
    expect(peer.requests).toHaveLength(1); // the second one was never sent
    client.close();
  });

  it('probe: true on any answer (even an error), false on timeout', async () => {
    const { peer, client } = setup();
    const ok = client.probe(1000);
    const [r1] = await peer.waitForRequests(1);
    peer.reply(r1!.request_id, 1234);
    await expect(ok).resolves.toBe(true);
    const err = client.probe(1000);
    const [, r2] = await peer.waitForRequests(2);
    peer.reply(r2!.request_id, undefined, 'property unavailable');
    await expect(err).resolves.toBe(true);
    await expect(client.probe(40)).resolves.toBe(false);
    client.close();
    await expect(client.probe(1000)).resolves.toBe(false);
  });
});

describe('MpvClient close', () => {
  it('rejects every pending request at once when mpv closes the connection', async () => {
    const { peer, client } = setup();
    const closes: unknown[] = [];
    client.on('close', (info) => closes.push(info));
    const pending = [client.getProperty('a'), client.getProperty('b'), client.command(['quit'])];
    await peer.waitForRequests(3);
    const started = Date.now();
    peer.end();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(MpvClosedError);
    expect(Date.now() - started).toBeLessThan(500); // not by their 2 s timeouts
    expect(client.closed).toBe(true);
    expect(closes).toEqual([{}]);
    await expect(client.getProperty('later')).rejects.toBeInstanceOf(MpvClosedError);
    expect(client.stats.pendingRequests).toBe(0);
  });

  it('close() rejects pending requests, emits close once, and ends the stream', async () => {
    const { peer, client } = setup();
    let closes = 0;
    client.on('close', () => closes++);
    const p = client.getProperty('volume');
    await peer.waitForRequests(1);
    client.close();
    client.close();
    await expect(p).rejects.toBeInstanceOf(MpvClosedError);
    expect(closes).toBe(1);
    expect(peer.stream.destroyed).toBe(true);
  });

  it('a stream error closes the client and is reported on close, not thrown', async () => {
    const { peer, client } = setup();
    const infos: Array<{ error?: Error }> = [];
    client.on('close', (info) => infos.push(info));
    const p = client.getProperty('volume');
    await peer.waitForRequests(1);
    peer.stream.destroy(new Error('EPIPE-like'));
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpvClosedError);
    expect((error as Error).cause).toEqual(new Error('EPIPE-like'));
    expect(infos[0]?.error?.message).toBe('EPIPE-like');
  });
});

describe('MpvClient framing', () => {
  it('survives malformed lines and keeps working', async () => {
    const warnings: Array<[MpvProtocolWarning, string]> = [];
    const { peer, client } = setup({ onProtocolWarning: (kind, detail) => warnings.push([kind, detail]) });
    const p = client.getProperty('volume');
    const [r] = await peer.waitForRequests(1);
    peer.sendRaw('this is not json\n[1,2,3]\n{"truncated": \n\n');
    peer.send({ request_id: 999_999, error: 'success' });
    peer.reply(r!.request_id, 70);
    await expect(p).resolves.toBe(70);
    expect(client.stats).toMatchObject({ malformedLines: 3, unmatchedReplies: 1 });
    expect(warnings.map(([kind]) => kind)).toEqual([
      'malformed-json',
      'not-an-object',
      'malformed-json',
      'unmatched-reply',
    ]);
    client.close();
  });

  it('reassembles lines split across chunks, including split UTF-8 characters', async () => {
    const { peer, client } = setup();
    const titles: unknown[] = [];
    client.on('event', (e) => titles.push(e.title));
    const p = client.getProperty('media-title');
    const [r] = await peer.waitForRequests(1);
    const bytes = Buffer.from(
      JSON.stringify({ event: 'client-message', title: 'Ünïcödé ♫ 🎵' }) +
        '\n' +
        JSON.stringify({ data: 'Tür ♫', request_id: r!.request_id, error: 'success' }) +
        '\n',
    );
    for (let i = 0; i < bytes.length; i++) {
      peer.toClient.write(bytes.subarray(i, i + 1)); // one byte at a time
      if (i % 7 === 0) await nextTurn();
    }
    await expect(p).resolves.toBe('Tür ♫');
    expect(titles).toEqual(['Ünïcödé ♫ 🎵']);
    client.close();
  });

  it('handles many messages in one chunk', async () => {
    const { peer, client } = setup();
    const ps = [1, 2, 3, 4].map((n) => client.getProperty<number>(`p${n}`));
    const reqs = await peer.waitForRequests(4);
    peer.sendRaw(
      reqs.map((r, i) => JSON.stringify({ data: i, request_id: r.request_id, error: 'success' })).join('\n') + '\n',
    );
    await expect(Promise.all(ps)).resolves.toEqual([0, 1, 2, 3]);
    client.close();
  });

  it('drops over-long lines (bounded buffer) and resumes at the next line', async () => {
    const warnings: MpvProtocolWarning[] = [];
    const { peer, client } = setup({ maxLineLength: 100, onProtocolWarning: (kind) => warnings.push(kind) });
    const p = client.getProperty('x');
    const [r] = await peer.waitForRequests(1);
    peer.sendRaw('{"event":"huge","pad":"');
    for (let i = 0; i < 20; i++) {
      peer.sendRaw('y'.repeat(50));
      await nextTurn();
    }
    peer.sendRaw(`"}\n${JSON.stringify({ data: 1, request_id: r!.request_id, error: 'success' })}\n`);
    // A complete over-long line within one chunk is dropped too.
    peer.sendRaw(`{"event":"big","pad":"${'z'.repeat(200)}"}\n`);
    await expect(p).resolves.toBe(1);
    await nextTurn();
    expect(client.stats.droppedLongLines).toBe(2);
    expect(warnings).toEqual(['line-too-long', 'line-too-long']);
    client.close();
  });
});

describe('MpvClient observeProperty', () => {
  it('delivers property-change values to the right handler until unobserved', async () => {
    const { peer, client } = setup();
    const seen: Array<[unknown, string]> = [];
    const changes: unknown[] = [];
    client.on('property-change', (e) => changes.push(e.data));
    const observing = client.observeProperty<number>('time-pos', (value, name) => seen.push([value, name]));
    const [r] = await peer.waitForRequests(1);
    expect(r?.command).toEqual(['observe_property', expect.any(Number), 'time-pos']);
    const observeId = (r!.command as [string, number, string])[1];
    peer.reply(r!.request_id);
    // mpv sends the current value right behind the reply; absent data means "unavailable".
    peer.send({ event: 'property-change', id: observeId, name: 'time-pos' });
    peer.send({ event: 'property-change', id: observeId, name: 'time-pos', data: 0.5 });
    peer.send({ event: 'property-change', id: observeId + 100, name: 'volume', data: 3 });
    await expect(observing).resolves.toBe(observeId);
    await nextTurn();
    expect(seen).toEqual([
      [undefined, 'time-pos'],
      [0.5, 'time-pos'],
    ]);
    expect(changes).toEqual([undefined, 0.5, 3]);

    const unobserving = client.unobserveProperty(observeId);
    const [, u] = await peer.waitForRequests(2);
    expect(u?.command).toEqual(['unobserve_property', observeId]);
    peer.send({ event: 'property-change', id: observeId, name: 'time-pos', data: 0.9 });
    peer.reply(u!.request_id);
    await unobserving;
    expect(seen).toHaveLength(2);
    client.close();
  });

  it('forgets the handler when observe_property fails', async () => {
    const { peer, client } = setup();
    const seen: unknown[] = [];
    const observing = client.observeProperty('bogus', (v) => seen.push(v));
    const [r] = await peer.waitForRequests(1);
    const observeId = (r!.command as [string, number, string])[1];
    peer.reply(r!.request_id, undefined, 'property not found');
    await expect(observing).rejects.toBeInstanceOf(MpvCommandError);
    peer.send({ event: 'property-change', id: observeId, name: 'bogus', data: 1 });
    await nextTurn();
    expect(seen).toEqual([]);
    client.close();
  });
});
