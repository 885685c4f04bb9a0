import { CommandSender } from './command-sender.js';
import { FleetLink, type MqttOptions } from './fleet-link.js';
import { FleetModel } from './fleet-model.js';
import type { OutcomeView } from './messages.js';
import type { FleetSnapshot } from './views.js';

/** Retained states arrive in a burst right after subscribing: the survey ends after this much quiet. */
const QUIET_MS = 400;

export interface SurveyOptions {
  /** Upper bound of the survey, however busy the broker. */
  maxMs: number;
}

/** A short-lived view of the fleet for the CLI: connect, read the retained states, keep the link for commands. */
export class FleetClient {
  private readonly model = new FleetModel();
  private readonly sender: CommandSender;

  private constructor(private readonly link: FleetLink) {
    this.sender = new CommandSender((topic, payload) => link.publish(topic, payload), `fleet-${process.pid}`);
  }

  static async open(opts: Omit<MqttOptions, 'clientIdPrefix'>): Promise<FleetClient> {
    const link = new FleetLink({ ...opts, clientIdPrefix: 'mpvisor-fleet' });
    const client = new FleetClient(link);
    link.onMessage((msg) => {
      client.model.apply(msg);
      client.sender.handle(msg);
    });
    await link.start();
    return client;
  }

  async survey(opts: SurveyOptions): Promise<FleetSnapshot> {
    const deadline = Date.now() + opts.maxMs;
    let last = Date.now();
    const off = this.model.onChange(() => (last = Date.now()));
    try {
      while (Date.now() < deadline && Date.now() - last < QUIET_MS) {
        await new Promise((r) => setTimeout(r, Math.min(100, QUIET_MS - (Date.now() - last))));
      }
    } finally {
      off();
    }
    return this.model.snapshot();
  }

  /** One command to each topic, sent at once; one outcome per topic (a local timeout when none came). */
  async sendAll(
    topics: string[],
    payload: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<Array<{ topic: string; outcome: OutcomeView }>> {
    return Promise.all(
      topics.map(async (topic) => ({ topic, outcome: await this.sender.send({ topic, payload, timeoutMs }).outcome })),
    );
  }

  close(): Promise<void> {
    return this.link.stop();
  }
}
