import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../src/index.js';
import type { MpvisorConfig } from '../src/index.js';
import { fixturesDir } from './helpers.js';

const dir = fixturesDir();

/** name/kind/enabled of every zone each corpus file must yield, in file order. */
const EXPECTED_ZONES: Record<string, string[]> = {
  'houdini-pi5.ini': ['mirror-hdmi0/screen/on', 'picture-hdmi1/screen/on'],
  'houdini.ini': ['mirror-hdmi0/screen/on', 'picture-hdmi1/screen/on'],
  'pfx-enhanced-audio-example.ini': [],
  'pfx-explained.ini': ['zone1-hdmi0/screen/on', 'zone2-hdmi1/screen/on', 'headphones/audio/off'],
  'pfx-linux-h.ini': ['hdmi0/screen/on'],
  'pfx-old.ini': ['zone2-hdmi1/screen/on'],
  'pfx-pi0w-h.ini': ['hdmi0/screen/on'],
  'pfx-pi3-h.ini': ['hdmi0/screen/on'],
  'pfx-pi3-ha.ini': ['hdmi0/screen/on', 'headphones/audio/on'],
  'pfx-pi4-h.ini': ['zone1-hdmi0/screen/on'],
  'pfx-pi4-ha.ini': ['zone1-hdmi0/screen/on', 'headphones/audio/on'],
  'pfx-pi4-hh.ini': ['zone1-hdmi0/screen/on', 'zone2-hdmi1/screen/on'],
  'pfx-pi4-hha.ini': ['zone1-hdmi0/screen/on', 'zone2-hdmi1/screen/on', 'headphones/audio/on'],
  // dual_output_mode (primary_device + secondary_device) is mpvisor's combined-audio zone.
  'pfx-pi5-aha.ini': ['zone1-hdmi0/audio/on', 'zone2-hdmi1/screen/on', 'zone3-dual-audio/combined-audio/on'],
  'pfx-pi5-h.ini': ['zone1-hdmi0/screen/on'],
  'pfx-pi5-hh.ini': ['zone1-hdmi0/screen/on', 'zone2-hdmi1/screen/on'],
  'pfx-volume-example.ini': ['audio_room/audio/on', 'stage_display/screen/on'],
};

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ini'))
  .sort();
const load = (f: string): Promise<MpvisorConfig> => loadConfigFile(path.join(dir, f));
const summary = (c: MpvisorConfig) => c.zones.map((z) => `${z.name}/${z.kind}/${z.enabled ? 'on' : 'off'}`);
const skipped = (c: MpvisorConfig) => c.problems.filter((p) => p.message.includes('skipped')).map((p) => p.section);

describe('ParadoxFX corpus', () => {
  it('has an expectation for every file in the fixture folder', () => {
    expect(files.length).toBeGreaterThanOrEqual(17);
    expect(files).toEqual(Object.keys(EXPECTED_ZONES).sort());
  });

  it.each(files)('%s loads with the expected zones and no errors', async (f) => {
    const c = await load(f);
    expect(summary(c)).toEqual(EXPECTED_ZONES[f]);
    expect(c.source).toBe(path.join(dir, f));
    expect(c.problems.every((p) => p.severity === 'warning')).toBe(true);
    for (const z of c.zones) {
      expect(z.media_dir.startsWith(c.global.media_base_path)).toBe(true);
      expect(z.line).toBeGreaterThan(0);
    }
    expect(Object.isFrozen(c.zones)).toBe(true);
  });

  it('strips inline comments and trailing spaces (houdini.ini)', async () => {
    const c = await load('houdini.ini');
    expect(c.global.log_level).toBe('debug'); // "debug  #info"
    expect(c.mqtt.device_name).toBe('pi4-h'); // "pi4-h " with a trailing space
    expect(c.mqtt.keepalive_s).toBe(60);
    expect(c.global.media_base_path).toBe('/opt/paradox/media/game');
    // `media_dir = ` (empty) means the base folder itself
    expect(c.zones[0]?.media_dir).toBe('/opt/paradox/media/game');
    expect(c.zones[0]?.default_image).toBe('black_screen.png');
    expect(c.zones[0]?.volume).toBe(80);
    expect(c.zones[0]?.target_monitor).toBe(0);
    const duck = c.problems.find((p) => p.key === 'ducking_volume');
    expect(duck).toMatchObject({ severity: 'warning', section: 'global', line: 36 });
    expect(c.global.extra).toHaveProperty('ducking_volume', '30');
  });

  it('reads pfx-explained.ini: comments after values, options, disabled zone, skipped devices', async () => {
    const c = await load('pfx-explained.ini');
    expect(c.global.heartbeat_interval_ms).toBe(10000); // "10000           # 10 seconds"
    const [z1, , phones] = c.zones;
    expect(z1).toMatchObject({
      enabled: true,
      media_dir: '/opt/paradox/media/zone1',
      display: ':0',
      xinerama_screen: 0,
      video_queue_max: 4,
      audio_queue_max: 8,
      max_volume: 120,
      background_volume: 60,
      topic: 'paradox/zone1/screen',
    });
    expect(z1?.mpv_video_options).toEqual([
      '--hwdec=auto',
      '--vo=gpu',
      '--gpu-context=drm',
      '--profile=gpu-hq',
      '--cache=yes',
      '--cache-secs=5',
    ]);
    expect(phones?.enabled).toBe(false); // "false                   # Set to true ..."
    expect(c.global.extra).toMatchObject({ max_concurrent_videos: '2', prefer_h264_codec: 'true' });
    expect(skipped(c)).toEqual([
      'light:zone1-main',
      'light:zone1-accent',
      'light:zone2-main',
      'light:zone2-accent',
      'light-group:zone1-all',
      'light-group:zone2-all',
      'light-group:all-zones',
      'relay:zone1-power',
      'relay:zone2-power',
      'relay:master-emergency',
      'relay:entrance-lock',
      'relay:maintenance-mode',
      'controller:hue',
      'controller:wiz',
      'controller:zigbee',
      'controller:zwave',
      'pi4_optimization',
      'aliases',
      'failsafe',
      'logging',
    ]);
    // one warning per skipped section, none for the keys inside them
    expect(c.problems.filter((p) => p.section === 'logging')).toHaveLength(1);
    expect(c.problems.filter((p) => p.message.startsWith('unknown key'))).toEqual([]);
  });

  it('skips colon-less sections of pfx-enhanced-audio-example.ini and reads [global] MQTT keys', async () => {
    const c = await load('pfx-enhanced-audio-example.ini');
    expect(skipped(c)).toEqual(['screen_living_room', 'light_living_room', 'audio_kitchen']);
    const hint = c.problems.find((p) => p.section === 'audio_kitchen');
    expect(hint?.message).toContain('[audio:kitchen]');
    expect(hint?.line).toBe(141);
    expect(c.mqtt).toMatchObject({ broker: 'localhost', port: 1883, username: 'paradoxfx', password: 'your_password' });
    // "heartbeat_interval = 30" is seconds, with a warning
    expect(c.global.heartbeat_interval_ms).toBe(30000);
    expect(c.problems.find((p) => p.key === 'heartbeat_interval')).toMatchObject({ severity: 'warning', line: 13 });
  });

  it('reads the unified volume model (pfx-volume-example.ini) and dual outputs (pfx-pi5-aha.ini)', async () => {
    const v = await load('pfx-volume-example.ini');
    expect(v.global.max_volume).toBe(180);
    expect(v.zones[0]).toMatchObject({
      kind: 'audio',
      max_volume: 170,
      ducking_adjust: -35,
      speech_volume: 110,
      effects_volume: 120,
    });
    expect(v.zones[1]).toMatchObject({
      kind: 'screen',
      max_volume: 180,
      ducking_adjust: -45,
      video_volume: 95,
      media_dir: '/opt/paradox/media/houdini-voice',
    });
    expect(v.zones[0]?.topic).toBe('paradox/audio_room'); // default {base_topic}/{name}

    const a = await load('pfx-pi5-aha.ini');
    expect(a.zones[2]).toMatchObject({
      primary_device: 'pulse/alsa_output.platform-107c701400.hdmi.hdmi-stereo',
      secondary_device: 'pulse/alsa_output.platform-107c706400.hdmi.hdmi-stereo',
      audio_device: 'pulse/combined_hdmi_output',
    });
    expect(a.global.log_level).toBe('debug');
  });

  it('treats audio_device = default as "let mpv choose"', async () => {
    const c = await load('pfx-pi3-ha.ini');
    expect(c.zones.map((z) => z.audio_device)).toEqual([undefined, undefined]);
    expect(c.zones[1]?.media_dir).toBe('/opt/paradox/media'); // no media_dir at all
  });
});
