import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatProblem, loadConfigFile, parseConfigText } from '../src/index.js';
import { errors, ini, lineOf, parse, warnings } from './helpers.js';

/** Asserts exactly one error, at `needle`'s line, in `section`.`key`. */
function expectOneError(text: string, section: string, key: string | undefined, needle: string, messagePart?: string) {
  const errs = errors(text);
  expect(errs).toHaveLength(1);
  expect(errs[0]).toMatchObject({ severity: 'error', section, line: lineOf(text, needle) });
  expect(errs[0]?.key).toBe(key);
  if (messagePart) expect(errs[0]?.message).toContain(messagePart);
  expect(parse(text).config).toBeNull();
}

describe('invalid values are errors naming section, key and line', () => {
  it('wrong type', () => {
    expectOneError(ini('[audio:a]', 'volume = loud'), 'audio:a', 'volume', 'volume = loud', 'expected a number');
    expectOneError(ini('[audio:a]', 'enabled = maybe'), 'audio:a', 'enabled', 'enabled =', 'true/false');
    expectOneError(ini('[mqtt]', 'keepalive = 1.5', '[audio:a]'), 'mqtt', 'keepalive', 'keepalive', 'whole number');
    expectOneError(
      ini('[system:main]', 'reset_timeout = soon', '[audio:a]'),
      'system:main',
      'reset_timeout',
      'reset_timeout',
      'duration',
    );
  });

  it('out of range volume', () => {
    expectOneError(
      ini('[audio:a]', 'type = audio', 'background_volume = 250'),
      'audio:a',
      'background_volume',
      'background_volume',
      'between 0 and 200',
    );
    expectOneError(ini('[screen:s]', 'video_volume = -1'), 'screen:s', 'video_volume', 'video_volume', 'out of range');
    expectOneError(
      ini('[global]', 'ducking_adjust = 20', '[audio:a]'),
      'global',
      'ducking_adjust',
      'ducking_adjust',
      'between -100 and 0',
    );
  });

  it('effects_warm_delay_ms: a whole number of ms up to 10 minutes', () => {
    const zone = (value: string) => parse(ini('[audio:a]', `effects_warm_delay_ms = ${value}`)).config?.zones[0];
    expect(zone('0')?.effects_warm_delay_ms).toBe(0);
    expect(zone('600000')?.effects_warm_delay_ms).toBe(600_000);
    expectOneError(ini('[audio:a]', 'effects_warm_delay_ms = -1'), 'audio:a', 'effects_warm_delay_ms', 'effects_warm');
    expectOneError(ini('[audio:a]', 'effects_warm_delay_ms = 600001'), 'audio:a', 'effects_warm_delay_ms', 'effects');
    expectOneError(ini('[audio:a]', 'effects_warm_delay_ms = 1.5'), 'audio:a', 'effects_warm_delay_ms', 'effects');
  });

  it('effects_voice_idle_ms: a whole number of ms up to an hour', () => {
    const zone = (value: string) => parse(ini('[audio:a]', `effects_voice_idle_ms = ${value}`)).config?.zones[0];
    expect(zone('0')?.effects_voice_idle_ms).toBe(0);
    expect(zone('3600000')?.effects_voice_idle_ms).toBe(3_600_000);
    expectOneError(ini('[audio:a]', 'effects_voice_idle_ms = -1'), 'audio:a', 'effects_voice_idle_ms', 'effects_voice');
    expectOneError(ini('[audio:a]', 'effects_voice_idle_ms = 3600001'), 'audio:a', 'effects_voice_idle_ms', 'effects');
  });

  it('unknown zone type, and a type contradicting the section', () => {
    expectOneError(ini('[audio:a]', 'type = video'), 'audio:a', 'type', 'type = video', 'unknown zone type');
    expectOneError(ini('[audio:a]', 'type = screen'), 'audio:a', 'type', 'type = screen', 'contradicts');
    expectOneError(ini('[video:a]', 'type = screen'), 'video:a', 'type', 'type = screen', '[screen:a]');
  });

  it('duplicate topic (on the second zone) and duplicate zone names', () => {
    const text = ini('[audio:a]', 'topic = room/x', '[screen:b]', 'topic = room/x   # same');
    expectOneError(text, 'screen:b', 'topic', 'topic = room/x   # same', 'already used by zone "a"');
    const implicit = ini('[mqtt]', 'base_topic = p', '[audio:a]', '[audio:b]', 'topic = p/a');
    expectOneError(implicit, 'audio:b', 'topic', 'topic = p/a', 'duplicate topic');
    expectOneError(ini('[audio:a]', '[screen:a]'), 'screen:a', undefined, '[screen:a]', 'duplicate zone name');
    expectOneError(
      ini('[system:main]', 'topic = t/sys', '[audio:a]', 'topic = t/sys  # zone'),
      'audio:a',
      'topic',
      '# zone',
      'system topic',
    );
  });

  it('allows a disabled zone to share a topic', () => {
    expect(errors(ini('[audio:a]', 'topic = x', '[audio:b]', 'topic = x', 'enabled = false'))).toEqual([]);
  });

  it('media_dir escaping media_base_path', () => {
    const base = ini('[global]', 'media_base_path = /srv/media', '[audio:a]');
    expectOneError(base + 'media_dir = ../../etc\n', 'audio:a', 'media_dir', 'media_dir', 'outside media_base_path');
    expectOneError(base + 'media_path = /etc\n', 'audio:a', 'media_path', 'media_path', 'outside');
    expectOneError(base + 'media_dir = sub/../../media-other\n', 'audio:a', 'media_dir', 'media_dir', 'outside');
    expect(errors(base + 'media_dir = /srv/media/ok\n')).toEqual([]);
    expectOneError(
      ini('[global]', 'media_base_path = /srv/media', '[screen:s]', 'default_image = ../x.png'),
      'screen:s',
      'default_image',
      'default_image',
      'outside',
    );
  });

  it('bad port', () => {
    expectOneError(ini('[mqtt]', 'port = 70000', '[audio:a]'), 'mqtt', 'port', 'port', 'between 1 and 65535');
    expectOneError(ini('[mqtt]', 'port = mqtt', '[audio:a]'), 'mqtt', 'port', 'port', 'whole number');
    expectOneError(
      ini('[mqtt]', 'broker = mqtt://h:1884', 'port = 1883', '[audio:a]'),
      'mqtt',
      'port',
      'port =',
      'contradicts',
    );
  });

  it('bad protocol_version', () => {
    expectOneError(
      ini('[mqtt]', 'protocol_version = 3', '[audio:a]'),
      'mqtt',
      'protocol_version',
      'protocol_version',
      'expected 5',
    );
  });

  it('other value checks', () => {
    expectOneError(ini('[mqtt]', 'broker = not a host', '[audio:a]'), 'mqtt', 'broker', 'broker', 'not a valid host');
    expectOneError(ini('[mqtt]', 'base_topic = a/#', '[audio:a]'), 'mqtt', 'base_topic', 'base_topic', 'wildcards');
    expectOneError(
      ini('[global]', 'log_level = loud', '[audio:a]'),
      'global',
      'log_level',
      'log_level',
      'expected one of',
    );
    expectOneError(ini('[audio:bad name]'), 'audio:bad name', undefined, '[audio:bad name]', 'zone name');
    expectOneError(
      ini('[combined-audio:c]', 'combined_sinks = pulse/a'),
      'combined-audio:c',
      'combined_sinks',
      'combined_sinks =',
      'at least two',
    );
    expectOneError(
      ini('[audio:a]', 'mpv_audio_options = --input-ipc-server=/tmp/x'),
      'audio:a',
      'mpv_audio_options',
      'mpv_audio',
      'managed by mpvisor',
    );
    expectOneError(ini('[mqtt]', 'cert = c.pem', '[audio:a]'), 'mqtt', 'cert', 'cert', 'needs its key');
  });

  it('reply_prefix: a valid topic holding none of our own topics', () => {
    expectOneError(
      ini('[mqtt]', 'reply_prefix = r/+', '[audio:a]'),
      'mqtt',
      'reply_prefix',
      'reply_prefix',
      'wildcards',
    );
    expectOneError(
      ini('[mqtt]', 'reply_prefix = $SYS/r', '[audio:a]'),
      'mqtt',
      'reply_prefix',
      'reply_prefix',
      'must not start with "$"',
    );
    expectOneError(
      ini('[mqtt]', 'base_topic = p', 'reply_prefix = p', '[audio:a]'),
      'mqtt',
      'reply_prefix',
      'reply_prefix',
      'p/system/command',
    );
    expectOneError(
      ini('[mqtt]', 'base_topic = p', 'reply_prefix = p/a', '[audio:a]'),
      'mqtt',
      'reply_prefix',
      'reply_prefix',
      'p/a/commands',
    );
    expectOneError(
      ini('[mqtt]', 'base_topic = p', '[audio:replies]'),
      'mqtt',
      'reply_prefix',
      '[mqtt]',
      'p/replies/commands',
    );
    expect(errors(ini('[mqtt]', 'base_topic = p', 'reply_prefix = p/a/replies', '[audio:a]'))).toEqual([]);
  });
});

describe('all errors at once', () => {
  const text = ini(
    '[mqtt]',
    'port = 0',
    'protocol_version = 6',
    '[global]',
    'media_base_path = /m',
    '[audio:a]',
    'volume = 300',
    'media_dir = ../x',
    'colour = blue',
    '[audio:b]',
    'type = light',
  );

  it('reports every error, sorted by line, plus warnings', () => {
    const { config, problems } = parseConfigText(text, { env: {} });
    expect(config).toBeNull();
    const errs = problems.filter((p) => p.severity === 'error');
    expect(errs.map((p) => `${p.section}.${p.key}@${p.line}`)).toEqual([
      'mqtt.port@2',
      'mqtt.protocol_version@3',
      'audio:a.volume@7',
      'audio:a.media_dir@8',
      'audio:b.type@11',
    ]);
    expect(problems).toContainEqual(
      expect.objectContaining({ severity: 'warning', section: 'audio:a', key: 'colour', line: 9 }),
    );
  });

  it('ConfigError lists every error as "section.key (line N): message"', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mpvisor-cfg-'));
    const file = path.join(dir, 'bad.ini');
    await writeFile(file, text);
    const err = await loadConfigFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.message).toContain(file);
    expect(ce.message).toContain('5 errors');
    expect(ce.message).toContain('mqtt.port (line 2): ');
    expect(ce.message).toContain('audio:a.media_dir (line 8): ');
    expect(ce.message).toContain('audio:b.type (line 11): unknown zone type');
    expect(ce.message).not.toContain('colour'); // warnings are in .problems, not in the message
    expect(ce.problems.some((p) => p.key === 'colour')).toBe(true);
  });

  it('a missing file is a ConfigError too', async () => {
    const err = await loadConfigFile('/nonexistent/mpvisor/pfx.ini').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]?.message).toContain('file not found');
  });
});

describe('warnings', () => {
  it('unknown keys name section, key and line', () => {
    const text = ini('[mqtt]', 'brokr = x', '[audio:a]', 'volumee = 3');
    const w = warnings(text);
    expect(w).toContainEqual(expect.objectContaining({ section: 'mqtt', key: 'brokr', line: 2 }));
    expect(w).toContainEqual(expect.objectContaining({ section: 'audio:a', key: 'volumee', line: 4 }));
    expect(errors(text)).toEqual([]);
  });

  it('formatProblem', () => {
    expect(formatProblem({ severity: 'error', section: 'audio:a', key: 'volume', line: 7, message: 'bad' })).toBe(
      'error: audio:a.volume (line 7): bad',
    );
    expect(formatProblem({ severity: 'warning', section: 'logging', line: 3, message: 'skipped' })).toBe(
      'warning: logging (line 3): skipped',
    );
    expect(formatProblem({ severity: 'error', section: '', message: 'cannot read' })).toBe('error: cannot read');
  });

  it('legacy and screen-only keys', () => {
    const w = warnings(
      ini(
        '[audio:a]',
        'display = :0',
        'speech_ducking = 20',
        'player_type = cvlc',
        'name = Lobby',
        'mpv_video_profile = x',
      ),
    );
    expect(w.map((p) => p.key).sort()).toEqual(['display', 'player_type']);
  });
});
