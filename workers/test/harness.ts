import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MqttProbe,
  repoRoot,
  startMosquitto,
  startSupervisor,
  tempDir,
  testConfig,
  type Mosquitto,
  type SupervisorProcess,
} from '@mpvisor/testkit';

export interface Harness {
  media: string;
  probe: MqttProbe;
  sup: SupervisorProcess;
  broker: Mosquitto;
  /** Send a command to a zone and wait for its outcome. */
  cmd(zone: string, body: object, timeoutMs?: number): Promise<any>;
  /** What mpv itself reports for one of the zone's instances. */
  prop(zone: string, role: string, property: string): Promise<any>;
  events(zone: string): string;
  close(): Promise<void>;
}

/** A real Mosquitto, demo media (tones, video, image) and `mpvisor run` with the given zones. */
export async function startHarness(o: {
  base: string;
  zones: string[];
  extra?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<Harness> {
  const dir = tempDir(o.base);
  const media = join(dir.path, 'media');
  mkdirSync(media, { recursive: true });
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'make-demo-media.mjs'), media], { stdio: 'ignore' });
  const broker = await startMosquitto({ dir: dir.path });
  const probe = await MqttProbe.connect(broker.url);
  await probe.subscribe(`${o.base}/#`);
  const config = testConfig({
    port: broker.port,
    mediaDir: media,
    zones: o.zones,
    base: o.base,
    ...(o.extra ? { extra: o.extra } : {}),
  });
  const sup = startSupervisor({ dir: dir.path, config, ...(o.env ? { env: o.env } : {}) });
  const events = (zone: string) => `${o.base}/${zone}/events`;
  const cmd = (zone: string, body: object, timeoutMs = 15_000) =>
    probe.command(`${o.base}/${zone}/commands`, events(zone), body, timeoutMs);
  return {
    media,
    probe,
    sup,
    broker,
    cmd,
    events,
    prop: async (zone, role, property) => {
      const r = await cmd(zone, { command: 'getMpvProperty', role, property });
      if (r.outcome !== 'success') throw new Error(`getMpvProperty ${role} ${property}: ${r.message}`);
      return r.result.value;
    },
    close: async () => {
      await sup.stop();
      await probe.close();
      await broker.stop();
      dir.remove();
    },
  };
}

export async function zoneReady(h: Harness, base: string, zone: string): Promise<void> {
  await h.probe.waitFor(`${base}/${zone}/state`, (m) => m.json?.state === 'ready', 15_000);
}
