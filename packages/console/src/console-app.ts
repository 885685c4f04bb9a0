import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ActionRunner } from './action-runner.js';
import { AuditLog } from './audit-log.js';
import { CommandSender } from './command-sender.js';
import type { ConsoleConfig } from './console-config.js';
import { FleetLink } from './fleet-link.js';
import { FleetModel } from './fleet-model.js';
import { buildHttpServer } from './http-server.js';
import { Sessions } from './sessions.js';
import { SseHub } from './sse-hub.js';
import { loadAssets } from './static-assets.js';

/**
 * `mpvisor console`: the broker link, the fleet model, the page. Started after the broker answers;
 * it only ever publishes commands, so its crash or absence changes nothing for any supervisor.
 */
export class ConsoleApp {
  private constructor(
    private readonly link: FleetLink,
    private readonly hub: SseHub,
    private readonly http: FastifyInstance,
    private readonly audit: AuditLog,
    readonly url: string,
  ) {}

  static async start(config: ConsoleConfig): Promise<ConsoleApp> {
    const model = new FleetModel();
    const link = new FleetLink({
      url: config.mqtt.url,
      username: config.mqtt.username,
      password: config.mqtt.password,
      protocolVersion: config.mqtt.protocol_version,
      filters: config.mqtt.filters,
      clientIdPrefix: 'mpvisor-console',
    });
    const sender = new CommandSender((topic, payload) => link.publish(topic, payload));
    const audit = new AuditLog(config.audit_log ?? null);
    const runner = new ActionRunner(model, sender, audit);
    const hub = new SseHub();
    link.onMessage((msg) => {
      model.apply(msg);
      sender.handle(msg);
    });
    model.onChange((change) => hub.broadcast('change', change));
    runner.onUpdate((record) => hub.broadcast('action', record));
    link.onConnection((connected) => hub.broadcast('link', { connected }));
    const http = buildHttpServer({
      assets: await loadAssets(),
      hub,
      sessions: new Sessions(config.session_ttl_s * 1000),
      runner,
      passwordHash: config.password_hash ?? null,
      sessionTtlS: config.session_ttl_s,
      initial: () => [
        { event: 'snapshot', data: { fleet: model.snapshot(), actions: runner.list() } },
        { event: 'link', data: { connected: link.connected } },
      ],
    });
    await link.start();
    try {
      await http.listen({ host: config.bind, port: config.port });
    } catch (err) {
      await link.stop();
      throw err;
    }
    // Cast: A server listening on a TCP port reports an AddressInfo (a string only for a pipe or Unix socket).
    const addr = http.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return new ConsoleApp(link, hub, http, audit, `http://${host}:${addr.port}/`);
  }

  async stop(): Promise<void> {
    this.hub.close();
    await this.http.close();
    await this.link.stop();
    await this.audit.flush();
  }
}
