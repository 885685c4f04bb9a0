import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '@mpvisor/config';
import { MqttProbe, repoRoot, startMosquitto, startSupervisor, tempDir } from '@mpvisor/testkit';

const examples = join(repoRoot, 'docs', 'examples');
const dir = tempDir('mpvex');
const media = join(dir.path, 'media');
execFileSync(process.execPath, [join(repoRoot, 'scripts', 'make-demo-media.mjs'), media], { stdio: 'ignore' });

afterAll(() => dir.remove());

describe('docs/examples', () => {
  it.each(['audio-only.ini', 'screen-audio.ini', 'combined-audio.ini'])('%s parses without errors', (name) => {
    const { config, problems } = parseConfigText(readFileSync(join(examples, name), 'utf8'), {
      env: { MPVISOR_MEDIA: media },
    });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(config?.zones.length).toBeGreaterThanOrEqual(2);
  });

  it('the screen example runs headless on the null outputs and plays its demo video', async () => {
    const broker = await startMosquitto({ dir: dir.path });
    const probe = await MqttProbe.connect(broker.url);
    await probe.subscribe('escape/#');
    // Only what a headless box must change: the broker, the display, and --vo=null.
    const text = readFileSync(join(examples, 'screen-audio.ini'), 'utf8')
      .replace('broker = embedded', 'broker = 127.0.0.1')
      .replace('port = 1883', `port = ${broker.port}`)
      .replace('display = :0\n', '')
      .replace('mpv_video_options = --hwdec=auto', 'mpv_video_options = --vo=null');
    const sup = startSupervisor({ dir: dir.path, config: text, env: { MPVISOR_MEDIA: media } });
    try {
      await probe.waitFor('escape/mirror/state', (m) => m.json?.state === 'ready', 15_000);
      await probe.waitFor('escape/hall/state', (m) => m.json?.state === 'ready', 15_000);
      const play = await probe.command('escape/mirror/commands', 'escape/mirror/events', {
        command: 'playVideo',
        file: 'testcard.mkv',
      });
      expect(play.outcome).toBe('success');
      const path = await probe.command('escape/mirror/commands', 'escape/mirror/events', {
        command: 'getMpvProperty',
        role: 'video',
        property: 'path',
      });
      expect(path.result.value).toBe(join(media, 'testcard.mkv'));
    } finally {
      await sup.stop();
      await probe.close();
      await broker.stop();
    }
  }, 40_000);
});
