import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionRunner } from '../src/action-runner.js';
import { AuditLog } from '../src/audit-log.js';
import { CommandSender } from '../src/command-sender.js';
import { FleetModel } from '../src/fleet-model.js';
import { buildHttpServer } from '../src/http-server.js';
import { hashPassword } from '../src/password-hash.js';
import { Sessions } from '../src/sessions.js';
import { SseHub } from '../src/sse-hub.js';

const dirs: string[] = [];
const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Reply {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  json(): any;
}

/** A real HTTP request on loopback (fastify's inject pulls in an ES module jest cannot require here). */
function call(
  port: number,
  o: { method?: string; url: string; headers?: Record<string, string>; payload?: unknown },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = o.payload === undefined ? undefined : JSON.stringify(o.payload);
    const req = request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.url, headers: o.headers },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ statusCode: res.statusCode!, headers: res.headers, json: () => JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function server(passwordHash: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'chttp-'));
  dirs.push(dir);
  const model = new FleetModel();
  const sender = new CommandSender(async () => undefined);
  const audit = new AuditLog(join(dir, 'audit.jsonl'));
  const app = buildHttpServer({
    assets: new Map([['index.html', { body: Buffer.from('<html>'), type: 'text/html' }]]),
    hub: new SseHub(),
    sessions: new Sessions(60_000),
    runner: new ActionRunner(model, sender, audit),
    passwordHash,
    sessionTtlS: 60,
    initial: () => [],
  });
  apps.push(app);
  const ready = app.listen({ host: '127.0.0.1', port: 0 }).then(() => (app.server.address() as AddressInfo).port);
  const inject = async (o: Parameters<typeof call>[1]) => call(await ready, o);
  return { app: { inject }, audit, auditFile: join(dir, 'audit.jsonl') };
}

const json = { 'content-type': 'application/json', host: '127.0.0.1:8080' };

describe('console HTTP server', () => {
  test('without a password: loopback Host names only, no foreign Origin on a POST', async () => {
    const { app } = server(null);
    expect((await app.inject({ url: '/', headers: { host: '127.0.0.1:8080' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/', headers: { host: 'localhost:8080' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/', headers: { host: 'evil.example:8080' } })).statusCode).toBe(403);
    const foreign = await app.inject({
      method: 'POST',
      url: '/api/actions',
      headers: { ...json, origin: 'http://evil.example' },
      payload: { action: 'venue_stop_audio' },
    });
    expect(foreign.statusCode).toBe(403);
    expect((await app.inject({ url: '/assets/../../etc/passwd', headers: { host: '127.0.0.1' } })).statusCode).toBe(
      404,
    );
  });

  test('an invalid action or one naming an unknown zone is refused before anything is sent or audited', async () => {
    const { app, audit, auditFile } = server(null);
    const bad = await app.inject({ method: 'POST', url: '/api/actions', headers: json, payload: { action: 'rm_rf' } });
    expect(bad.statusCode).toBe(400);
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/actions',
      headers: json,
      payload: { action: 'stop_all', zone: 'v/a/main' },
    });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json().error).toContain('no zone with topic v/a/main');
    await audit.flush();
    expect(() => readFileSync(auditFile)).toThrow();
  });

  test('with a password: 401 before login, wrong password refused, session cookie after the right one', async () => {
    const { app } = server(await hashPassword('letmein-please'));
    expect((await app.inject({ url: '/api/events', headers: { host: 'console.venue' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/session', headers: { host: 'console.venue' } })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { ...json, host: 'console.venue' },
      payload: { operator: 'anna', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { ...json, host: 'console.venue' },
      payload: { operator: 'anna', password: 'letmein-please' },
    });
    expect(right.statusCode).toBe(200);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/^mpvisor_console=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=60$/);
    const session = await app.inject({
      url: '/api/session',
      headers: { host: 'console.venue', cookie: cookie.split(';')[0]! },
    });
    expect(session.json()).toEqual({ operator: 'anna', auth: true });
  }, 30_000);
});
