import { describe, expect, it } from '@jest/globals';
import { ini, ok, warnings } from './helpers.js';

describe('ParadoxFX keys read as ParadoxFX reads them', () => {
  it('zone volume is the base of every role without its own key (config/pfx-pi4-h.ini)', () => {
    const z = ok(ini('[audio:a]', 'volume = 80', 'background_volume = 80', 'speech_volume = 90')).zones[0]!;
    expect(z).toMatchObject({
      volume: 80,
      background_volume: 80,
      speech_volume: 90,
      effects_volume: 80,
      video_volume: 80,
    });
    expect(ok(ini('[audio:a]')).zones[0]).toMatchObject({
      background_volume: 100,
      speech_volume: 100,
      effects_volume: 100,
    });
  });

  it('effect_volume is ParadoxFX spelling of effects_volume', () => {
    expect(ok(ini('[audio:a]', 'effect_volume = 60')).zones[0]).toMatchObject({ effects_volume: 60 });
  });

  it('ducking_adjust defaults to 0; a zone ducking_volume is translated; speech_ducking / video_ducking are read', () => {
    expect(ok(ini('[audio:a]')).zones[0]!.ducking_adjust).toBe(0);
    const c = ini('[screen:s]', 'ducking_volume = 70', 'speech_ducking = 0', 'video_ducking = -20');
    expect(ok(c).zones[0]).toMatchObject({ ducking_adjust: -30, speech_ducking: 0, video_ducking: -20 });
    expect(warnings(c).map((w) => w.key)).toContain('ducking_volume');
    expect(ok(ini('[audio:a]', 'ducking_adjust = -50', 'ducking_volume = 70')).zones[0]!.ducking_adjust).toBe(-50);
  });

  it('an audio zone with dual_output_mode plays on both devices as a combined-audio zone (config/pfx-pi5-aha.ini zone3)', () => {
    const z = ok(
      ini('[audio:zone3]', 'dual_output_mode = true', 'primary_device = pulse/a', 'secondary_device = pulse/b'),
    ).zones[0]!;
    expect(z).toMatchObject({ kind: 'combined-audio', section: 'audio:zone3', combined_sinks: ['pulse/a', 'pulse/b'] });
    expect(ok(ini('[audio:plain]', 'dual_output_mode = false')).zones[0]!.kind).toBe('audio');
  });

  it('reads the legacy UPPER-case keys ParadoxFX still falls back to, with a warning to rename', () => {
    const text = ini(
      '[global]',
      'MQTT_SERVER = broker.lan',
      'MQTT_PORT = 1884',
      'MEDIA_BASE_PATH = /srv/media',
      'LOG_LEVEL = debug',
      '[screen:tv]',
      'MEDIA_DIR = tv',
      'VOLUME = 70',
      'DISPLAY = :1',
      'DEFAULT_IMAGE = idle.png',
      'media_dir = tv2',
      'MEDIA_DIR = ignored',
    );
    const c = ok(text);
    expect(c.mqtt).toMatchObject({ broker: 'broker.lan', port: 1884 });
    expect(c.global).toMatchObject({ media_base_path: '/srv/media', log_level: 'debug' });
    expect(c.zones[0]).toMatchObject({
      media_dir: '/srv/media/tv2',
      background_volume: 70,
      display: ':1',
      default_image: 'idle.png',
    });
    expect(warnings(text).map((w) => w.key)).toEqual(expect.arrayContaining(['MQTT_SERVER', 'MEDIA_DIR', 'VOLUME']));
  });
});
