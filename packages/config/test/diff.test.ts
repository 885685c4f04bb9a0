import { describe, expect, it } from '@jest/globals';
import { diffConfigs, parseConfigText, type MpvisorConfig } from '../src/index.js';
import { ini } from './helpers.js';

const head = ['[mqtt]', 'broker = 127.0.0.1', 'port = 1883', '[global]', 'media_base_path = /tmp'];
const zone = (name: string, ...keys: string[]) => [`[audio:${name}]`, `topic = t/${name}`, 'media_dir = .', ...keys];

function load(...lines: string[]): MpvisorConfig {
  const { config, problems } = parseConfigText(ini(...lines), { sourceName: '/tmp/x.ini' });
  if (!config) throw new Error(problems.map((p) => p.message).join('; '));
  return config;
}

describe('diffConfigs', () => {
  const before = load(...head, ...zone('keep'), ...zone('change'), ...zone('vol'), ...zone('gone'));

  it('sorts zones into added, removed, restarted, changed in place and unchanged', () => {
    const after = load(
      ...head,
      '# a comment moves every section down a line',
      ...zone('keep'),
      ...zone('change', 'ducking_adjust = -20'),
      ...zone('vol', 'volume = 55', 'max_rss_mb = 300'),
      ...zone('new'),
    );
    const d = diffConfigs(before, after);
    expect(d.added.map((z) => z.name)).toEqual(['new']);
    expect(d.removed.map((z) => z.name)).toEqual(['gone']);
    expect(d.restarted.map((c) => [c.after.name, c.keys])).toEqual([['change', ['ducking_adjust']]]);
    // `volume` is also every role's base volume where the role has none of its own (ParadoxFX's fallback).
    expect(d.inPlace.map((c) => [c.after.name, c.keys.sort()])).toEqual([
      ['vol', ['background_volume', 'effects_volume', 'restart.max_rss_mb', 'speech_volume', 'video_volume', 'volume']],
    ]);
    expect(d.unchanged).toEqual(['keep']);
    expect(d.mqtt).toEqual([]);
  });

  it('a zone disabled by the new file is removed; [mqtt] and [global] differences are listed', () => {
    const after = load(
      '[mqtt]',
      'broker = 127.0.0.1',
      'port = 1884',
      '[global]',
      'media_base_path = /tmp',
      'heartbeat_interval = 5000',
      ...zone('keep'),
      ...zone('change'),
      ...zone('vol'),
      ...zone('gone', 'enabled = false'),
    );
    const d = diffConfigs(before, after);
    expect(d.removed.map((z) => z.name)).toEqual(['gone']);
    expect(d.mqtt).toEqual(expect.arrayContaining(['mqtt.port', 'mqtt.url']));
    expect(d.other).toEqual(['global.heartbeat_interval_ms']);
  });

  it('a topic change restarts the zone', () => {
    const after = load(
      ...head,
      ...zone('keep'),
      ...zone('change'),
      ...zone('vol'),
      '[audio:gone]',
      'topic = t/elsewhere',
      'media_dir = .',
    );
    expect(diffConfigs(before, after).restarted.map((c) => c.keys)).toEqual([['topic']]);
  });
});
