import { describe, expect, it } from '@jest/globals';
import os from 'node:os';
import { RESTART_DEFAULTS, wantsOwnSink } from '../src/index.js';
import { errors, ini, lineOf, ok, warnings } from './helpers.js';

describe('defaults', () => {
  const c = ok(ini('[audio:a]'));

  it('mqtt', () => {
    const host = os.hostname();
    expect(c.mqtt).toEqual({
      embedded: false,
      broker: 'localhost',
      port: 1883,
      url: 'mqtt://localhost:1883',
      client_id: `mpvisor-${host}`,
      keepalive_s: 30,
      clean_session: true,
      base_topic: 'paradox',
      device_name: host,
      protocol_version: 5,
      reply_prefix: 'paradox/replies',
    });
  });

  it('global', () => {
    expect(c.global).toEqual({
      log_level: 'info',
      message_level: 'info',
      media_base_path: '/opt/paradox/media',
      heartbeat_enabled: true,
      heartbeat_interval_ms: 10000,
      heartbeat_topic: 'paradox/heartbeat',
      ducking_adjust: 0,
      max_volume: 150,
      mpv_path: 'mpv',
      audio_fallback: 'null',
      isolate_output: true,
      extra: {},
    });
  });

  it('system', () => {
    expect(c.system).toEqual({
      topic: 'paradox/system',
      reset_timeout_ms: 30000,
      auto_reset_enabled: false,
      auto_reset_threshold: 5,
      keep_alive_enabled: true,
      keep_alive_interval_ms: 30000,
      allow_host_commands: false,
      warm_spares: 1,
      restart: RESTART_DEFAULTS,
    });
    expect(RESTART_DEFAULTS).toMatchObject({
      restart_type: 'permanent',
      restart_backoff_initial_ms: 100,
      restart_backoff_max_ms: 30000,
      restart_backoff_factor: 2,
      restart_jitter: 0.2,
      max_restarts: 5,
      restart_window_ms: 300000,
      stable_after_ms: 10000,
      startup_timeout_ms: 10000,
      heartbeat_timeout_ms: 3000,
      health_interval_ms: 1000,
      stop_timeout_ms: 5000,
      restart_on_resource_limit: false,
    });
  });

  it('zone', () => {
    expect(c.zones[0]).toEqual({
      name: 'a',
      kind: 'audio',
      section: 'audio:a',
      line: 1,
      topic: 'paradox/a',
      enabled: true,
      media_dir: '/opt/paradox/media',
      volume: 100,
      max_volume: 150,
      background_volume: 100,
      speech_volume: 100,
      effects_volume: 100,
      video_volume: 100,
      ducking_adjust: 0,
      combined_sinks: [],
      isolate_output: false,
      effects_pool_size: 2,
      effects_warm_delay_ms: 5000,
      effects_voice_idle_ms: 10_000,
      mpv_audio_options: [],
      mpv_video_options: [],
      video_queue_max: 5,
      audio_queue_max: 5,
      restart: RESTART_DEFAULTS,
    });
  });

  it('zones inherit [global] ducking_adjust and max_volume and follow base_topic', () => {
    const z = ok(
      ini('[mqtt]', 'base_topic = room7', '[global]', 'ducking_adjust = -25', 'max_volume = 110', '[screen:tv]'),
    ).zones[0];
    expect(z).toMatchObject({ topic: 'room7/tv', ducking_adjust: -25, max_volume: 110, kind: 'screen' });
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.zones[0]?.restart)).toBe(true);
    expect(Object.isFrozen(c.global.extra)).toBe(true);
    expect(() => {
      (c.mqtt as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('[mqtt] variants', () => {
  it('broker = embedded forces 127.0.0.1 and MQTT 3.1.1', () => {
    const text = ini('[mqtt]', 'broker = embedded', 'protocol_version = 5', 'port = 1999', '[audio:a]');
    const c = ok(text);
    expect(c.mqtt).toMatchObject({
      embedded: true,
      broker: '127.0.0.1',
      port: 1999,
      url: 'mqtt://127.0.0.1:1999',
      protocol_version: 4,
    });
    expect(c.problems).toContainEqual(
      expect.objectContaining({ key: 'protocol_version', line: lineOf(text, 'protocol_version') }),
    );
  });

  it('protocol_version 4, credentials, TLS with files relative to the config file', () => {
    const c = ok(
      ini(
        '[mqtt]',
        'broker = broker.example',
        'protocol_version = 4',
        'username = u',
        'password = ${PW}',
        'ca = certs/ca.pem',
        'cert = /etc/c.pem',
        'key = /etc/k.pem',
        '[audio:a]',
      ),
      { sourceName: '/etc/mpvisor/pfx.ini', env: { PW: 's3cret' } },
    );
    expect(c.mqtt).toMatchObject({
      protocol_version: 4,
      username: 'u',
      password: 's3cret',
      port: 8883,
      url: 'mqtts://broker.example:8883',
      tls: { ca: '/etc/mpvisor/certs/ca.pem', cert: '/etc/c.pem', key: '/etc/k.pem', reject_unauthorized: true },
    });
    expect(c.source).toBe('/etc/mpvisor/pfx.ini');
  });

  it('accepts a broker URL', () => {
    expect(ok(ini('[mqtt]', 'broker = mqtts://10.0.0.2:9000', '[audio:a]')).mqtt).toMatchObject({
      broker: '10.0.0.2',
      port: 9000,
      url: 'mqtts://10.0.0.2:9000',
    });
    expect(ok(ini('[mqtt]', 'broker = ::1', '[audio:a]')).mqtt.url).toBe('mqtt://[::1]:1883');
  });

  it('warns when TLS verification is turned off', () => {
    const w = warnings(ini('[mqtt]', 'broker = b', 'tls = yes', 'reject_unauthorized = no', '[audio:a]'));
    expect(w).toContainEqual(expect.objectContaining({ section: 'mqtt', key: 'reject_unauthorized', line: 4 }));
  });
});

describe('[global] and [system:main] details', () => {
  it('heartbeat_interval: milliseconds, small numbers are seconds with a warning, units accepted', () => {
    expect(ok(ini('[global]', 'heartbeat_interval = 5000', '[audio:a]')).global.heartbeat_interval_ms).toBe(5000);
    const secs = ok(ini('[global]', 'heartbeat_interval = 15', '[audio:a]'));
    expect(secs.global.heartbeat_interval_ms).toBe(15000);
    expect(secs.problems).toContainEqual(
      expect.objectContaining({ section: 'global', key: 'heartbeat_interval', line: 2 }),
    );
    const unit = ok(ini('[global]', 'heartbeat_interval = 20s', '[audio:a]'));
    expect(unit.global.heartbeat_interval_ms).toBe(20000);
    expect(unit.problems.filter((p) => p.key === 'heartbeat_interval')).toEqual([]);
    expect(errors(ini('[global]', 'heartbeat_interval = 0', '[audio:a]'))).toHaveLength(1);
  });

  it('relative paths resolve against the config file folder', () => {
    const c = ok(
      ini('[global]', 'media_base_path = media', 'mpv_path = ./bin/mpv', 'run_dir = run', '[audio:a]', 'media_dir = x'),
      { sourceName: '/srv/show/pfx.ini' },
    );
    expect(c.global).toMatchObject({
      media_base_path: '/srv/show/media',
      mpv_path: '/srv/show/bin/mpv',
      run_dir: '/srv/show/run',
    });
    expect(c.zones[0]?.media_dir).toBe('/srv/show/media/x');
  });

  it('reads [system:main]', () => {
    const c = ok(
      ini(
        '[system:main]',
        'topic = site/sys',
        'reset_timeout = 45s',
        'auto_reset_enabled = yes',
        'auto_reset_threshold = 3',
        'keep_alive_interval = 60000',
        'allow_host_commands = true',
        'warm_spares = 0',
        '[audio:a]',
      ),
    );
    expect(c.system).toMatchObject({
      topic: 'site/sys',
      reset_timeout_ms: 45000,
      auto_reset_enabled: true,
      auto_reset_threshold: 3,
      keep_alive_interval_ms: 60000,
      allow_host_commands: true,
      warm_spares: 0,
    });
  });

  it('reads screen and combined-audio zone keys', () => {
    const c = ok(
      ini(
        '[screen:tv]',
        'display = 0',
        'target_monitor = 1',
        'mpv_video_options = --fs "--title=My Show"',
        '[combined-audio:both]',
        'combined_sinks = ["pulse/a", "pulse/b"]',
        '[combined-audio:pair]',
        'primary_device = pulse/x',
        'secondary_device = pulse/y',
      ),
    );
    expect(c.zones[0]).toMatchObject({
      display: ':0',
      target_monitor: 1,
      mpv_video_options: ['--fs', '--title=My Show'],
    });
    expect(c.zones[1]?.combined_sinks).toEqual(['pulse/a', 'pulse/b']);
    expect(c.zones[2]?.combined_sinks).toEqual(['pulse/x', 'pulse/y']);
  });

  it("isolate_output: on by default for a pulse device, which becomes the one device of the zone's own sink; off where asked", () => {
    const c = ok(
      ini(
        '[audio:iso]',
        'audio_device = pulse/room_a',
        '[screen:tv]',
        'audio_device = pulse/hdmi',
        'isolate_output = yes',
        '[audio:plain]',
        'audio_device = pulse/room_b',
        'isolate_output = false',
        '[audio:def]',
        '[audio:alsa]',
        'audio_device = alsa/hw:1',
        '[combined-audio:both]',
        'combined_sinks = pulse/a, pulse/b',
      ),
    );
    expect(c.global.isolate_output).toBe(true);
    expect(c.zones[0]).toMatchObject({ isolate_output: true, combined_sinks: ['pulse/room_a'] });
    expect(wantsOwnSink(c.zones[0]!)).toBe(true);
    expect(c.zones[1]).toMatchObject({ isolate_output: true, combined_sinks: ['pulse/hdmi'] });
    expect(c.zones[2]).toMatchObject({ isolate_output: false, combined_sinks: [] });
    expect(wantsOwnSink(c.zones[2]!)).toBe(false);
    // Nothing to isolate, and nobody asked: no warning.
    expect(c.zones.slice(3).map((z) => z.isolate_output)).toEqual([false, false, false]);
    expect(warnings(ini('[audio:def]', '[audio:alsa]', 'audio_device = alsa/hw:1')).length).toBe(0);
    const off = ok(
      ini(
        '[global]',
        'isolate_output = false',
        '[audio:a]',
        'audio_device = pulse/room_a',
        '[audio:b]',
        'audio_device = pulse/room_b',
        'isolate_output = true',
      ),
    );
    expect(off.global.isolate_output).toBe(false);
    expect(off.zones.map((z) => z.isolate_output)).toEqual([false, true]);
    const odd = ini(
      '[audio:def]',
      'isolate_output = true',
      '[audio:alsa]',
      'audio_device = alsa/hw:1',
      'isolate_output = true',
      '[combined-audio:both]',
      'combined_sinks = pulse/a, pulse/b',
      'isolate_output = true',
    );
    expect(warnings(odd).map((w) => w.key)).toEqual(['isolate_output', 'isolate_output', 'isolate_output']);
    const read = ok(odd);
    expect(read.zones.map((z) => z.isolate_output)).toEqual([false, false, false]);
    expect(read.zones[2]?.combined_sinks).toEqual(['pulse/a', 'pulse/b']);
  });
});
