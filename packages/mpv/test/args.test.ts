import { describe, expect, it } from '@jest/globals';
import { buildMpvArgs } from '../src/index.js';

describe('buildMpvArgs', () => {
  it('audio role defaults: fd IPC, lean, idle, no gapless, no video', () => {
    const args = buildMpvArgs({ role: 'speech' });
    expect(args[0]).toBe('--input-ipc-client=fd://3');
    expect(args).toEqual(
      expect.arrayContaining([
        '--no-config',
        '--load-scripts=no',
        '--ytdl=no',
        '--osc=no',
        '--load-stats-overlay=no',
        '--load-osd-console=no',
        '--load-auto-profiles=no',
        '--input-default-bindings=no',
        '--input-terminal=no',
        '--msg-level=all=warn',
        '--idle=yes',
        '--gapless-audio=no',
        '--vid=no',
        '--force-window=no',
        '--audio-client-name=mpvisor-speech',
      ]),
    );
    expect(args.some((a) => a.startsWith('--ao='))).toBe(false);
    expect(args).not.toContain('--no-terminal');
  });

  it('audio output, video role, idle off, and extra args last', () => {
    const args = buildMpvArgs({
      role: 'video',
      video: true,
      idle: false,
      audioOutput: { ao: 'pulse', device: 'pulse/zone1' },
      args: ['--vo=gpu', '--idle=yes'],
    });
    expect(args).toEqual(expect.arrayContaining(['--ao=pulse', '--audio-device=pulse/zone1', '--idle=no']));
    expect(args).not.toContain('--vid=no');
    expect(args.slice(-5, -3)).toEqual(['--vo=gpu', '--idle=yes']); // mpv: the last occurrence wins
  });

  it('confinement flags come after the extra args, so nothing can undo them', () => {
    const args = buildMpvArgs({
      role: 'effects',
      args: ['--access-references=yes', '--demuxer-lavf-o-add=protocol_whitelist=file'],
    });
    expect(args.slice(-3)).toEqual([
      '--access-references=no',
      '--load-unsafe-playlists=no',
      '--demuxer-lavf-o=protocol_whitelist=none',
    ]);
  });
});
