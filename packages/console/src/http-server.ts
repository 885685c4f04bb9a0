import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ActionError, actionSchema } from './actions.js';
import type { ActionRunner } from './action-runner.js';
import { LoginThrottle } from './login-throttle.js';
import { verifyPassword } from './password-hash.js';
import type { Sessions } from './sessions.js';
import type { SseHub } from './sse-hub.js';
import type { Asset } from './static-assets.js';

export interface HttpDeps {
  assets: Map<string, Asset>;
  hub: SseHub;
  sessions: Sessions;
  runner: ActionRunner;
  /** Null: no password (loopback only), every request acts as operator "local". */
  passwordHash: string | null;
  sessionTtlS: number;
  /** What a new page gets first: the fleet, recent actions, the broker link. */
  initial: () => Array<{ event: string; data: unknown }>;
}

const COOKIE = 'mpvisor_console';
const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

const loginSchema = z.object({ operator: z.string().trim().min(1).max(40), password: z.string().max(200) }).strict();

function cookieToken(req: FastifyRequest): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return v;
  }
  return undefined;
}

/** The console's HTTP side: the page's files, login, the SSE stream and actions. */
export function buildHttpServer(d: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  const throttle = new LoginThrottle();

  // Without a password the console trusts loopback, so a page of another site must not reach it: refuse
  // other Host names (DNS rebinding) and, for every request that changes something, a foreign Origin.
  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host ?? '';
    if (d.passwordHash === null && !LOOPBACK_HOST.test(host))
      return reply.code(403).send({ error: `host ${host} not allowed` });
    const origin = req.headers.origin;
    if (req.method !== 'GET' && origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
      return reply.code(403).send({ error: 'cross-origin request refused' });
    }
  });

  const who = (req: FastifyRequest) => {
    if (d.passwordHash === null) return { operator: 'local', address: req.ip };
    const s = d.sessions.get(cookieToken(req));
    return s ? { operator: s.operator, address: req.ip } : null;
  };
  const refuse = (reply: FastifyReply) => reply.code(401).send({ error: 'log in first' });

  const sendAsset = (name: string, reply: FastifyReply) => {
    const a = d.assets.get(name);
    if (!a) return reply.code(404).send({ error: 'not found' });
    return reply.header('content-type', a.type).header('cache-control', 'no-cache').send(a.body);
  };
  app.get('/', (_req, reply) => sendAsset('index.html', reply));
  app.get<{ Params: { name: string } }>('/assets/:name', (req, reply) => sendAsset(req.params.name, reply));

  app.get('/api/session', (req, reply) => {
    const w = who(req);
    return w ? reply.send({ operator: w.operator, auth: d.passwordHash !== null }) : refuse(reply);
  });

  app.post('/api/login', async (req, reply) => {
    const body = loginSchema.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'operator name and password are required' });
    if (d.passwordHash === null) return reply.send({ operator: 'local' });
    if (throttle.blocked(req.ip)) return reply.code(429).send({ error: 'too many wrong passwords; wait a minute' });
    if (!(await verifyPassword(body.data.password, d.passwordHash))) {
      throttle.fail(req.ip);
      return reply.code(401).send({ error: 'wrong password' });
    }
    throttle.succeed(req.ip);
    const s = d.sessions.create(body.data.operator, req.ip);
    return reply
      .header('set-cookie', `${COOKIE}=${s.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${d.sessionTtlS}`)
      .send({ operator: s.operator });
  });

  app.post('/api/logout', (req, reply) => {
    d.sessions.end(cookieToken(req));
    return reply.header('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`).send({});
  });

  app.get('/api/events', (req, reply) => {
    if (!who(req)) return refuse(reply);
    reply.hijack();
    d.hub.attach(reply.raw, d.initial());
    return reply;
  });

  app.post('/api/actions', (req, reply) => {
    const w = who(req);
    if (!w) return refuse(reply);
    const action = actionSchema.safeParse(req.body);
    if (!action.success)
      return reply
        .code(400)
        .send({ error: action.error.issues.map((i) => `${i.path.join('.') || 'action'}: ${i.message}`).join('; ') });
    try {
      const record = d.runner.run(action.data, w);
      return reply.code(202).send({ action_id: record.action_id });
    } catch (err) {
      if (err instanceof ActionError) return reply.code(409).send({ error: err.message });
      throw err;
    }
  });

  return app;
}
