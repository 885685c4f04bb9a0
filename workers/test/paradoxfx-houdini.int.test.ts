import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sleep } from '@mpvisor/testkit';
import { startHarness, type Harness } from './harness.js';
import { pfxMedia, verifyImage } from './pfx-client.js';
import { missingScreenTools, startXvfb, type Xvfb } from './xvfb.js';

// PxO's examples/houdinis-challenge-game.edn, game mode hc-demo: the cues it sends to its three ParadoxFX
// zones (mirror, picture, audio), in order: demo-reset, intro, gameplay schedule, solved schedule,
// demo-reset. Lights and clock cues go to other adapters and are left out; waits are compressed to 0.2 s.
// The room's clock page is enabled on the mirror before the game, as the room's own setup does.
// PxO's topics are paradox/houdini/{zone}; the harness names its temp folder after the base, so one level here.
const B = 'houdini';
const STEP = 0.2;

type Cue = { zone: string; body: Record<string, unknown> } | { verifyImage: string; file: string } | { wait: number };

const DEMO_RESET: Cue[] = [
  ...['mirror', 'picture', 'audio'].map((zone) => ({ zone, body: { command: 'stopAudio' } })),
  { verifyImage: 'mirror', file: 'black_screen.png' },
  { verifyImage: 'picture', file: 'intro_short.mp4' },
  { zone: 'mirror', body: { command: 'hideBrowser' } },
];
const HIDE_CLOCK_SEQ: Cue[] = [{ wait: 4 }, { zone: 'mirror', body: { command: 'hideBrowser' } }, { wait: 2 }];
const GAME: Array<[string, Cue[]]> = [
  ['reset', DEMO_RESET],
  ['intro', [{ zone: 'picture', body: { command: 'playVideo', file: 'intro_short.mp4' } }]],
  [
    'gameplay 89: start-music',
    [{ zone: 'mirror', body: { command: 'playBackground', file: 'music.mp3', loop: true, volume: 30 } }],
  ],
  ['gameplay 80: show-clock-seq', [{ zone: 'mirror', body: { command: 'showBrowser' } }, { wait: 2 }]],
  ['gameplay 60: hint look-everywhere', [{ zone: 'mirror', body: { command: 'playAudioFX', file: 'hint.mp3' } }]],
  [
    'gameplay 50: hint picture-cymbal-fx',
    [{ zone: 'picture', body: { command: 'playAudioFX', file: 'Cymbal_Strange.mp3', adjustVolume: 5 } }],
  ],
  ['gameplay 30: hide-clock-seq', HIDE_CLOCK_SEQ],
  [
    'solved 60: fade-out-music, hide-clock-seq',
    [{ zone: 'mirror', body: { command: 'stopBackground', fadeTime: 3 } }, ...HIDE_CLOCK_SEQ],
  ],
  ['solved 55: win-video', [{ zone: 'mirror', body: { command: 'playVideo', file: 'win_mm.mp4' } }]],
  ['reset', DEMO_RESET],
];

const missing = missingScreenTools();
if (missing.length > 0)
  process.stderr.write(
    `paradoxfx-houdini: skipped, missing ${missing.join(', ')} (scripts/setup.sh test installs them)\n`,
  );

(missing.length > 0 ? describe.skip : describe)("PxO's Houdini's Challenge (hc-demo) against mpvisor", () => {
  let x: Xvfb;
  let h: Harness;
  const prop = (zone: string, role: string, p: string) => h.prop(zone, role, p);

  beforeAll(async () => {
    x = await startXvfb(320, 240);
    const zones = [
      [
        '[screen:mirror]',
        `topic = ${B}/mirror`,
        'media_dir = .',
        `display = ${x.display}`,
        'mpv_video_options = --vo=x11',
        'effects_pool_size = 0',
      ],
      [
        '[screen:picture]',
        `topic = ${B}/picture`,
        'media_dir = .',
        'mpv_video_options = --vo=null',
        'effects_pool_size = 0',
      ],
      ['[audio:audio]', `topic = ${B}/audio`, 'media_dir = .', 'effects_pool_size = 0'],
    ].map((z) => z.join('\n'));
    h = await startHarness({
      base: B,
      zones: [],
      extra: ['startup_timeout_ms = 30000', 'heartbeat_timeout_ms = 10000', 'warm_spares = 0', ...zones].join('\n'),
    });
    pfxMedia(h.media);
    writeFileSync(
      join(h.media, 'clock.html'),
      '<!doctype html><html><body style="margin:0;background:#000;color:#fff">59:59</body></html>',
    );
    await Promise.all(
      ['mirror', 'picture', 'audio'].map((z) =>
        h.probe.waitFor(`${B}/${z}/state`, (m) => m.json?.state === 'ready', 45_000),
      ),
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\n${h.sup
          .output()
          .split('\n')
          .filter((l) => /"(warn|error)"/.test(l))
          .slice(-15)
          .join('\n')}`,
      );
    });
    const clock = await h.cmd(
      'mirror',
      { command: 'enableBrowser', url: pathToFileURL(join(h.media, 'clock.html')).href },
      40_000,
    );
    expect(clock.outcome).toBe('success');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await x?.stop();
  }, 30_000);

  it('every cue is answered success and the expected media plays at each step', async () => {
    const t0 = Date.now();
    const answered: Array<{ phase: string; command: string; outcome: string; message: string }> = [];
    for (const [phase, cues] of GAME) {
      for (const cue of cues) {
        if ('wait' in cue) {
          await sleep(cue.wait * STEP * 1000);
        } else if ('verifyImage' in cue) {
          expect({
            phase,
            verify: cue.file,
            ...(await verifyImage(h.probe, `${B}/${cue.verifyImage}`, cue.file)),
          }).toMatchObject({ success: true });
        } else {
          const o = await h.cmd(cue.zone, cue.body, 30_000);
          answered.push({
            phase,
            command: `${cue.zone} ${String(cue.body.command)}`,
            outcome: o.outcome,
            message: o.message,
          });
        }
      }
      await checkStep(phase);
    }
    expect(answered.filter((a) => a.outcome !== 'success')).toEqual([]);
    // verifyImage's own getState and setImage were sent as PxO sends them, without ids: every outcome counts.
    const outcomes = h.probe.messages.filter(
      (m) => m.at >= t0 && m.topic.startsWith(`${B}/`) && m.topic.endsWith('/events') && m.json?.type === 'command',
    );
    expect(
      outcomes
        .filter((m) => m.json.outcome !== 'success')
        .map((m) => `${m.topic} ${m.json.command}: ${m.json.message}`),
    ).toEqual([]);
  }, 180_000);

  /** What each step of the game should have on screen and in the speakers, read from mpv and the state. */
  async function checkStep(phase: string): Promise<void> {
    const state = async (zone: string) => (await h.cmd(zone, { command: 'getState' })).result;
    switch (phase) {
      case 'reset':
        expect(await prop('mirror', 'video', 'path')).toBe(join(h.media, 'black_screen.png'));
        expect(await prop('picture', 'video', 'path')).toBe(join(h.media, 'intro_short.mp4'));
        expect(await prop('picture', 'video', 'pause')).toBe(true);
        expect((await state('mirror')).browser).toMatchObject({ enabled: true, focused: false });
        break;
      case 'intro':
        expect(await prop('picture', 'video', 'path')).toBe(join(h.media, 'intro_short.mp4'));
        expect(await prop('picture', 'video', 'pause')).toBe(false);
        break;
      case 'gameplay 89: start-music':
        expect(await prop('mirror', 'background', 'path')).toBe(join(h.media, 'music.mp3'));
        expect(await prop('mirror', 'background', 'volume')).toBe(30);
        expect(await prop('mirror', 'background', 'loop-file')).toBe('inf');
        break;
      case 'gameplay 80: show-clock-seq':
        expect((await state('mirror')).browser).toMatchObject({ focused: true });
        break;
      case 'gameplay 30: hide-clock-seq':
        expect((await state('mirror')).browser).toMatchObject({ focused: false });
        expect(await prop('mirror', 'background', 'idle-active')).toBe(false);
        break;
      case 'solved 60: fade-out-music, hide-clock-seq':
        expect(await prop('mirror', 'background', 'idle-active')).toBe(true);
        break;
      case 'solved 55: win-video':
        expect(await prop('mirror', 'video', 'path')).toBe(join(h.media, 'win_mm.mp4'));
        break;
      default:
        break;
    }
  }
});
