// The set-up most supervisor integration suites share: a temp folder with the demo media, a private
// Mosquitto, a probe subscribed to a topic base of the suite's own, and the supervisor under test.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoMedia } from '@mpvisor/config';
import { startMosquitto, type Mosquitto } from './mosquitto.js';
import { MqttProbe, type Received } from './mqtt-probe.js';
import { startSupervisor, type StartOptions, type SupervisorProcess } from './supervisor-process.js';
import { testConfig } from './test-config.js';
import { tempDir } from './tmp.js';

export interface RigOptions {
  /** Prefix of the temp folder, and of the topic base unless `base` is given. */
  prefix: string;
  /** The topic base; by default the prefix and a random suffix. */
  base?: string;
  /** Extra lines for mosquitto.conf. */
  brokerConf?: string[];
}

/** How to run the supervisor; its folder (run, state, test.ini) is the rig's. */
export type RigStartOptions = Pick<StartOptions, 'env' | 'entry'>;

export interface Rig {
  dir: { path: string; remove(): void };
  media: string;
  base: string;
  broker: Mosquitto;
  probe: MqttProbe;
  /** The supervisor started last; throws before the first start. */
  readonly sup: SupervisorProcess;
  /** testConfig on the rig's broker, media and base. */
  config(o: { zones: string[]; extra?: string; zoneKeys?: string[] }): string;
  start(config: string, o?: RigStartOptions): SupervisorProcess;
  /** The zone's latest `ready` state at or after `since`. */
  ready(zone: string, since?: number, timeoutMs?: number): Promise<Received>;
  cmd(zone: string, body: object, timeoutMs?: number): Promise<any>;
  sys(body: object, timeoutMs?: number): Promise<any>;
  /** Stops whatever the rig started, each part even when another fails; safe after a half-done set-up. */
  close(): Promise<void>;
}

export async function createRig(o: RigOptions): Promise<Rig> {
  const dir = tempDir(o.prefix);
  const media = join(dir.path, 'media');
  const base = o.base ?? `${o.prefix}${randomBytes(4).toString('hex')}`;
  let broker: Mosquitto | undefined;
  let probe: MqttProbe | undefined;
  let current: SupervisorProcess | undefined;

  const close = async () => {
    let failure: unknown;
    for (const step of [() => current?.stop(), () => probe?.close(), () => broker?.stop()]) {
      await Promise.resolve()
        .then(step)
        .catch((err: unknown) => (failure ??= err));
    }
    dir.remove();
    if (failure) throw failure;
  };

  try {
    mkdirSync(media, { recursive: true });
    await ensureDemoMedia(media);
    broker = await startMosquitto({ dir: dir.path, extra: o.brokerConf ?? [] });
    probe = await MqttProbe.connect(broker.url);
    await probe.subscribe(`${base}/#`);
  } catch (err) {
    await close();
    throw err;
  }
  const started = { broker, probe };

  const start = (config: string, so: RigStartOptions = {}) => {
    current = startSupervisor({ ...so, dir: dir.path, config });
    return current;
  };
  const command = (scope: string, body: object, timeoutMs = 10_000) =>
    started.probe.command(`${base}/${scope}/commands`, `${base}/${scope}/events`, body, timeoutMs);

  return {
    dir,
    media,
    base,
    ...started,
    get sup() {
      if (!current) throw new Error('no supervisor started on this rig');
      return current;
    },
    config: (c) => testConfig({ port: started.broker.port, mediaDir: media, base, ...c }),
    start,
    ready: (zone, since = 0, timeoutMs = 15_000) =>
      started.probe.waitFor(`${base}/${zone}/state`, (m) => m.json?.state === 'ready', timeoutMs, since),
    cmd: command,
    sys: (body, timeoutMs) => command('system', body, timeoutMs),
    close,
  };
}
