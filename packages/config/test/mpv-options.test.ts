import { describe, expect, it } from '@jest/globals';
import { mpvOptionName, mpvOptionProblem, RESERVED_MPV_OPTIONS } from '../src/mpv-options.js';
import { errors, ini, lineOf, ok } from './helpers.js';

/** Every spelling mpv 0.35 accepts for an option on its command line. */
function spellings(name: string): string[] {
  return [
    `--${name}=x`,
    `-${name}=x`,
    `--${name}`,
    `-${name}`,
    `--no-${name}`,
    `-no-${name}`,
    `--${name.toUpperCase()}=x`,
    `--${name[0]?.toUpperCase()}${name.slice(1)}=x`,
    `--${name}-append=x`,
    `--${name}-add=x`,
    `--${name}-set=x`,
    `--${name}-pre=x`,
    `--${name}-clr`,
    `--${name}-del=0`,
    `--${name}-remove=x`,
    `--${name}-toggle=x`,
    `-${name}-append=x`,
    `--no-${name}-add=x`,
  ];
}

describe('reserved mpv options are refused in every spelling', () => {
  for (const name of RESERVED_MPV_OPTIONS) {
    it(name, () => {
      for (const arg of spellings(name)) {
        expect(mpvOptionProblem(arg)).toContain(`sets --${name}, which is managed by mpvisor`);
      }
    });
  }

  it('the options the issue names are in the set', () => {
    for (const name of [
      'input-ipc-server',
      'input-ipc-client',
      'include',
      'script',
      'scripts',
      'script-opts',
      'config',
      'config-dir',
      'load-scripts',
      'access-references',
      'ytdl',
      'input-conf',
      'log-file',
      'dump-stats',
    ]) {
      expect(RESERVED_MPV_OPTIONS.has(name)).toBe(true);
    }
  });

  it("mpv's deprecated aliases are reserved too", () => {
    expect(mpvOptionProblem('--input-unix-socket=/tmp/x')).toContain('--input-unix-socket');
    expect(mpvOptionProblem('--lua=/tmp/x.lua')).toContain('--lua');
    expect(mpvOptionProblem('--sub-file=/etc/x.srt')).toContain('--sub-file');
  });
});

describe('other arguments', () => {
  it('ordinary options pass in any spelling', () => {
    for (const arg of [
      '--volume=60',
      '--no-audio-display',
      '--hwdec=auto',
      '-fs',
      '--af-append=volume=2',
      '--profile=gpu-hq',
      '--cache-secs=5',
      '--title=My Show',
      '--idle-timeout=1',
      '--scripting-x=1',
    ]) {
      expect(mpvOptionProblem(arg)).toBeNull();
    }
  });

  it('bare words (files mpv would play, separated values) and end-of-options markers are refused', () => {
    for (const arg of ['/etc/secret.wav', 'gpu', '--', '-', '--{', '--}', '--=x']) {
      expect(mpvOptionProblem(arg)).toContain('is not an mpv option');
    }
  });

  it('names are read case-insensitively without dashes or value', () => {
    expect(mpvOptionName('-Input-IPC-Server=/a=b')).toBe('input-ipc-server');
    expect(mpvOptionName('--fs')).toBe('fs');
    expect(mpvOptionName('file.wav')).toBeNull();
  });
});

describe('config validation', () => {
  it('each refused argument is an error with section, key and line; the zone keeps no options', () => {
    const text = ini(
      '[audio:a]',
      'volume = 50',
      'mpv_audio_options = --volume=60 -input-ipc-server=/tmp/x "--script=/tmp/a b.lua"',
    );
    const errs = errors(text);
    expect(errs).toHaveLength(2);
    for (const e of errs)
      expect(e).toMatchObject({
        section: 'audio:a',
        key: 'mpv_audio_options',
        line: lineOf(text, 'mpv_audio_options'),
      });
    expect(errs[0]?.message).toContain('--input-ipc-server');
    expect(errs[1]?.message).toContain('--script');
  });

  it('mpv_video_options are checked the same way, separated values included', () => {
    const text = ini('[screen:s]', 'mpv_video_options = --vo gpu --include=/tmp/x.conf');
    const errs = errors(text);
    expect(errs.map((e) => [e.section, e.key, e.line])).toEqual([
      ['screen:s', 'mpv_video_options', 2],
      ['screen:s', 'mpv_video_options', 2],
    ]);
    expect(errs[0]?.message).toContain('"gpu" is not an mpv option');
    expect(errs[1]?.message).toContain('--include');
  });

  it('ParadoxFX option lines stay valid', () => {
    const c = ok(
      ini(
        '[screen:s]',
        'mpv_video_options = --hwdec=auto --vo=gpu --profile=gpu-hq --cache=yes --cache-secs=5',
        'mpv_audio_options = --audio-device=pulse/hdmi --volume=60',
      ),
    );
    expect(c.zones[0]?.mpv_video_options).toEqual([
      '--hwdec=auto',
      '--vo=gpu',
      '--profile=gpu-hq',
      '--cache=yes',
      '--cache-secs=5',
    ]);
    expect(c.zones[0]?.mpv_audio_options).toEqual(['--audio-device=pulse/hdmi', '--volume=60']);
  });
});
