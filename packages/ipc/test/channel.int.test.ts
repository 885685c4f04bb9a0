// Request/response, streams and connection lifecycle over real Unix sockets.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { IpcClient, isRequest, type IpcPeer } from '../src/index.js';
import { errorCode, parseMsg, Resources, type Msg } from './helpers.js';

let res: Resources;
beforeEach(() => {
  res = new Resources();
});
afterEach(async () => {
  await res.cleanup();
});

describe('request/response', () => {
  it('round-trips a request and adds a numeric req_id', async () => {
    const server = await res.echoServer();
    const seen: Msg[] = [];
    server.on('message', (_peer, msg) => seen.push(msg));
    const client = await res.client();
    const reply = await client.request<Msg>({ type: 'echo', value: 'hi' });
    expect(reply).toEqual({ type: 'echo', value: 'hi', reply_to: seen[0]?.req_id });
    expect(typeof seen[0]?.req_id).toBe('number');
  });

  it('answers 1,000 sequential requests (round-trip figures printed)', async () => {
    await res.echoServer();
    const client = await res.client();
    const micros: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t0 = process.hrtime.bigint();
      const reply = await client.request<Msg>({ type: 'echo', value: i });
      micros.push(Number(process.hrtime.bigint() - t0) / 1000);
      if (reply.value !== i) throw new Error(`reply ${String(reply.value)} for request ${i}`);
    }
    micros.sort((a, b) => a - b);
    const median = micros[499] ?? NaN;
    const p99 = micros[989] ?? NaN;
    console.log(`ipc round trip over 1000 requests: median ${median.toFixed(1)} us, p99 ${p99.toFixed(1)} us`);
    expect(median).toBeLessThan(5000);
  });

  it('keeps concurrent requests apart', async () => {
    await res.echoServer();
    const client = await res.client();
    const replies = await Promise.all([1, 2, 3, 4, 5].map((v) => client.request<Msg>({ type: 'echo', value: v })));
    expect(replies.map((r) => r.value)).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects IPC_TIMEOUT when no answer comes, and IPC_ABORTED on abort', async () => {
    await res.echoServer();
    const client = await res.client();
    await expect(client.request({ type: 'hang' }, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'IPC_TIMEOUT' });
    const ac = new AbortController();
    const pending = client.request({ type: 'hang' }, { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'IPC_ABORTED' });
    // the connection is still usable afterwards
    await expect(client.request<Msg>({ type: 'echo', value: 1 })).resolves.toMatchObject({ value: 1 });
  });

  it('fails a request at once when its reply does not validate', async () => {
    await res.echoServer();
    const client = await res.client();
    await expect(client.request({ type: 'bad-reply' })).rejects.toMatchObject({ code: 'IPC_INVALID' });
  });

  it('lets the server ask a connected client (peer.request)', async () => {
    const server = await res.echoServer();
    const connected = once(server, 'connection');
    const client = await res.client();
    client.on('message', (msg) => {
      if (isRequest(msg)) client.send({ type: 'pong', reply_to: msg.req_id });
    });
    const [peer] = (await connected) as [IpcPeer<Msg, Msg>];
    await expect(peer.request<Msg>({ type: 'ping' })).resolves.toMatchObject({ type: 'pong' });
  });
});

describe('validation', () => {
  it('drops an invalid message, calls onInvalid, and keeps serving', async () => {
    const invalid: Array<{ peer: number; err: string }> = [];
    const server = res.server(undefined, (peer, err) => invalid.push({ peer: peer.id, err: err.message }));
    const messages: Msg[] = [];
    server.on('message', (peer, msg) => {
      messages.push(msg);
      if (isRequest(msg)) peer.reply(msg, { type: 'ok' });
    });
    await server.listen();
    const client = await res.client();
    client.send({ nope: true } as unknown as Msg);
    await expect(client.request<Msg>({ type: 'after' })).resolves.toMatchObject({ type: 'ok' });
    expect(invalid).toEqual([{ peer: 1, err: 'message has no string type' }]);
    expect(messages.map((m) => m.type)).toEqual(['after']);
  });

  it('throws IPC_ENCODE for a message over the size limit instead of dropping it silently', async () => {
    await res.echoServer();
    const client = await res.client();
    expect(() => client.send({ type: 'big', blob: 'x'.repeat(1024 * 1024 + 1) })).toThrow(
      expect.objectContaining({ code: 'IPC_ENCODE' }),
    );
    await expect(client.request<Msg>({ type: 'echo', value: 2 })).resolves.toMatchObject({ value: 2 });
  });
});

describe('stream()', () => {
  it('delivers partial answers and resolves on final: true', async () => {
    await res.echoServer();
    const client = await res.client();
    const partial: unknown[] = [];
    const final = await client.stream<Msg>({ type: 'progress', steps: 4 }, (m) => partial.push(m.step));
    expect(partial).toEqual([1, 2, 3]);
    expect(final).toMatchObject({ type: 'done', step: 4, final: true });
  });

  it('restarts its timeout on each message', async () => {
    await res.echoServer();
    const client = await res.client();
    // 8 messages 50 ms apart take ~400 ms in all, twice the 200 ms of silence allowed.
    const started = Date.now();
    await expect(
      client.stream({ type: 'progress', steps: 8, gapMs: 50 }, () => undefined, { timeoutMs: 200 }),
    ).resolves.toMatchObject({ final: true });
    expect(Date.now() - started).toBeGreaterThan(350);
    await expect(
      client.stream({ type: 'progress', steps: 3, gapMs: 200 }, () => undefined, { timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'IPC_TIMEOUT' });
  });
});

describe('lifecycle', () => {
  it('server sees a client disconnect', async () => {
    const server = await res.echoServer();
    const connected = once(server, 'connection');
    const client = await res.client();
    const [peer] = (await connected) as [IpcPeer<Msg, Msg>];
    expect(server.peers.map((p) => p.id)).toEqual([peer.id]);
    const gone = once(server, 'disconnect');
    client.close();
    const [left] = (await gone) as [IpcPeer<Msg, Msg>];
    expect(left.id).toBe(peer.id);
    expect(left.connected).toBe(false);
    expect(server.peers).toEqual([]);
    expect(left.send({ type: 'late' })).toBe(false);
  });

  it('client sees the server close; a pending request rejects IPC_CLOSED', async () => {
    const server = await res.echoServer();
    const client = await res.client();
    const disconnected = once(client, 'disconnect');
    const pending = client.request({ type: 'hang' }, { timeoutMs: 5000 });
    const settled = pending.catch((err: unknown) => err);
    await server.close();
    await disconnected;
    expect(errorCode(await settled)).toBe('IPC_CLOSED');
    expect(client.connected).toBe(false);
    expect(client.send({ type: 'x' })).toBe(false);
    await expect(client.request({ type: 'echo' })).rejects.toMatchObject({ code: 'IPC_CLOSED' });
  });

  it('rejects pending requests with IPC_CLOSED when the client itself closes', async () => {
    await res.echoServer();
    const client = await res.client();
    const pending = client.request({ type: 'hang' });
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'IPC_CLOSED' });
  });

  it('connect to a missing path rejects IPC_UNREACHABLE in well under a second', async () => {
    const started = Date.now();
    const err = await IpcClient.connect({ socketPath: res.socketPath('missing.sock'), parse: parseMsg }).catch(
      (e: unknown) => e,
    );
    expect(errorCode(err)).toBe('IPC_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('connect rejects IPC_PATH_TOO_LONG instead of letting Node truncate the path', async () => {
    const socketPath = res.socketPath('x'.repeat(120));
    await expect(IpcClient.connect({ socketPath, parse: parseMsg })).rejects.toMatchObject({
      code: 'IPC_PATH_TOO_LONG',
    });
    await expect(res.server(socketPath).listen()).rejects.toMatchObject({ code: 'IPC_PATH_TOO_LONG' });
  });
});
