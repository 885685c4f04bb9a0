import { describe, expect, it } from '@jest/globals';
import { spareBootstrapSchema, supervisorToWorkerSchema, workerBootstrapSchema } from '@mpvisor/protocol';
import { demoConfig, parseConfigText } from '../src/index.js';

const zones = `
[mqtt]
broker = localhost
[global]
media_base_path = /srv/media
[audio:lobby]
media_dir = /srv/media/m
[screen:hall]
media_dir = /srv/media/m
display = :1
default_image = rest.png
[combined-audio:bar]
media_dir = /srv/media/m
combined_sinks = pulse/a, pulse/b
`;

const base = {
  token: 'a'.repeat(32),
  socketPath: '/run/x/workers.sock',
  mpvPath: 'mpv',
  runDir: '/run/x',
  stateDir: '/var/lib/x',
  logLevel: 'info',
  heartbeatIntervalMs: 1000,
  audioFallback: 'null',
};

describe('the loaded configuration crosses the worker edges whole', () => {
  it('every zone kind the reader builds parses as a bootstrap and as an adopt, unchanged', () => {
    const { config, problems } = parseConfigText(zones, { sourceName: '/etc/pfx.ini' });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const all = [...(config?.zones ?? []), ...demoConfig({ mediaDir: '/tmp/demo' }).zones];
    expect(all.map((z) => z.kind).sort()).toEqual(['audio', 'audio', 'audio', 'combined-audio', 'screen']);
    for (const zone of all) {
      // JSON in between, as on the wire: what the worker reads is what the supervisor wrote.
      const wire = JSON.parse(JSON.stringify({ ...base, zone }));
      expect(workerBootstrapSchema.parse(wire).zone).toEqual(wire.zone);
      const adopt = JSON.parse(JSON.stringify({ type: 'adopt', zone, heartbeat_interval_ms: 500 }));
      expect(supervisorToWorkerSchema.parse(adopt)).toEqual(adopt);
    }
  });

  it('a bootstrap missing a field, or with a zone of another shape, is refused with the field named', () => {
    const zone = demoConfig({ mediaDir: '/tmp/demo' }).zones[0];
    const { token: _token, ...noToken } = base;
    expect(workerBootstrapSchema.safeParse({ ...noToken, zone }).error?.issues[0]?.path).toEqual(['token']);
    const badZone = { ...zone, restart: { ...zone?.restart, restart_type: 'sometimes' } };
    expect(workerBootstrapSchema.safeParse({ ...base, zone: badZone }).error?.issues[0]?.path).toEqual([
      'zone',
      'restart',
      'restart_type',
    ]);
    expect(spareBootstrapSchema.safeParse({ ...base, zone: null, spare: { audioArgs: [], video: null } }).success).toBe(
      true,
    );
  });
});
