// Shared by the supervision integration tests: the testkit rig with its supervisor started on a test
// config, and the probes they use to read zones (state, lifecycle events, mpv's own time-pos).
import { createRig, sleep, waitFor } from '@mpvisor/testkit';

export async function zoneHarness(
  prefix: string,
  build: (port: number, media: string, base: string) => string,
  o: { brokerConf?: string[]; env?: NodeJS.ProcessEnv } = {},
) {
  const rig = await createRig({ prefix, base: prefix, ...(o.brokerConf ? { brokerConf: o.brokerConf } : {}) });
  const { dir, media, base, broker, probe, cmd, sys, ready, close } = rig;
  const sup = rig.start(build(broker.port, media, base), o.env ? { env: o.env } : {});
  const h = {
    dir,
    media,
    base,
    broker,
    probe,
    sup,
    cmd,
    sys,
    ready,
    async prop(zone: string, role: string, property: string): Promise<{ value: any; pid: number }> {
      const r = await h.cmd(zone, { command: 'getMpvProperty', role, property }, 5000);
      if (r.outcome !== 'success') throw new Error(`getMpvProperty: ${r.message}`);
      return r.result;
    },
    async state(zone: string): Promise<any> {
      const r = await h.cmd(zone, { command: 'status' });
      return r.result;
    },
    lifecycle: (zone: string, since: number) =>
      probe.messages
        .filter((m) => m.topic === `${base}/${zone}/events` && m.json?.type === 'zone_lifecycle' && m.at >= since)
        .map((m) => m.json),
    waitLifecycle: (zone: string, event: string, since: number, timeoutMs = 10_000) =>
      probe
        .waitFor(
          `${base}/${zone}/events`,
          (m) => m.json?.type === 'zone_lifecycle' && m.json?.event === event,
          timeoutMs,
          since,
        )
        .then((m) => m.json),
    /** Wait until background time-pos is a number that advances; returns the last reading. */
    async playing(zone: string, timeoutMs = 10_000): Promise<{ value: number; pid: number }> {
      return waitFor(
        async () => {
          const a = await h.prop(zone, 'background', 'time-pos');
          if (typeof a.value !== 'number') return null;
          await sleep(300);
          const b = await h.prop(zone, 'background', 'time-pos');
          return typeof b.value === 'number' && b.pid === a.pid && circular(b.value - a.value) > 0.1 ? b : null;
        },
        timeoutMs,
        `${zone} background playing`,
        100,
      );
    },
    close,
  };
  return h;
}

/** Distance on the 10 s loop of the demo tones (a looping track wraps to 0). */
export const circular = (d: number) => (((d % 10) + 15) % 10) - 5;
