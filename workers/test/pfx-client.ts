import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, type MqttProbe } from '@mpvisor/testkit';

/**
 * The file names PxO's Houdini's Challenge example and ParadoxFX's docs use, made from the generated
 * demo media (mpv probes content, not the extension: a WAV named .mp3 plays as audio).
 */
export function pfxMedia(media: string): void {
  const copies: Record<string, string> = {
    'music.mp3': 'tone-220.wav',
    'hint.mp3': 'chime.wav',
    'Cymbal_Strange.mp3': 'chime.wav',
    'Huge_Braam.mp3': 'chime.wav',
    'Deep_Braam_Long.mp3': 'chime.wav',
    'black_screen.png': 'still.png',
    'intro_short.mp4': 'testcard.mkv',
    'win_mm.mp4': 'testcard.mkv',
    'fail.mp4': 'testcard.mkv',
  };
  for (const [name, from] of Object.entries(copies)) copyFileSync(join(media, from), join(media, name));
}

/**
 * PxO's verifyImage (src/adapters/pfx.js), re-implemented: ask for the state, look for the file in
 * `file`, `video.file`, `currentImage`, `currentVideo`, `mpv_instances.media.file` or
 * `mpv_instances.background.file`; if it is not there send setImage and look again, for at most 10 s.
 */
export async function verifyImage(
  probe: MqttProbe,
  zoneTopic: string,
  file: string,
  maxMs = 10_000,
): Promise<{ success: boolean; setImageAttempts: number }> {
  const start = Date.now();
  let setImageAttempts = 0;
  while (Date.now() - start < maxMs) {
    await probe.publish(`${zoneTopic}/commands`, { command: 'getState' });
    await sleep(300);
    const state = [...probe.messages].reverse().find((m) => m.topic === `${zoneTopic}/state`)?.json;
    if (state) {
      const cs = state.current_state || state;
      const mediaFile =
        cs.file ||
        (cs.video && cs.video.file) ||
        cs.currentImage ||
        cs.currentVideo ||
        (state.mpv_instances && state.mpv_instances.media && state.mpv_instances.media.file) ||
        (state.mpv_instances && state.mpv_instances.background && state.mpv_instances.background.file) ||
        null;
      if (mediaFile === file) return { success: true, setImageAttempts };
    }
    setImageAttempts++;
    await probe.publish(`${zoneTopic}/commands`, { command: 'setImage', file });
    await sleep(1000);
  }
  return { success: false, setImageAttempts };
}

/**
 * PxO's verifyBrowser (src/adapters/pfx.js), re-implemented: from the state's `browser` block, enable it
 * if it is off, require a usable window_id, fix the URL with setBrowserUrl, fix visibility with
 * show/hideBrowser (`visible`, `focused` or `foreground`), polling every 2 s until all hold.
 */
export async function verifyBrowser(
  probe: MqttProbe,
  zoneTopic: string,
  desiredUrl: string,
  desiredVisible: boolean | null,
  timeoutMs = 15_000,
): Promise<{ success: boolean; changes: Record<string, boolean> }> {
  const start = Date.now();
  const changes = { restarted: false, urlChanged: false, visibilityChanged: false };
  let windowRecoveryRequested = false;
  const send = (body: object) => probe.publish(`${zoneTopic}/commands`, body);
  while (Date.now() - start < timeoutMs) {
    await send({ command: 'getState' });
    await sleep(500);
    const state = [...probe.messages].reverse().find((m) => m.topic === `${zoneTopic}/state`)?.json;
    if (!state) {
      await sleep(2000);
      continue;
    }
    const cs = state.current_state || state;
    const browserState = cs.browser || {};
    let allRequirementsMet = true;
    if (!browserState.enabled) {
      await send({ command: 'enableBrowser', url: desiredUrl });
      changes.restarted = true;
      windowRecoveryRequested = true;
      allRequirementsMet = false;
    } else {
      const normalizedWindowId = String(browserState.window_id ?? browserState.windowId ?? '')
        .trim()
        .toLowerCase();
      const hasUsableWindowId = normalizedWindowId && !['null', 'undefined', 'not-found'].includes(normalizedWindowId);
      if (!hasUsableWindowId) {
        if (!windowRecoveryRequested) {
          await send({ command: 'enableBrowser', url: desiredUrl || browserState.url });
          changes.restarted = true;
          windowRecoveryRequested = true;
        }
        allRequirementsMet = false;
      } else {
        windowRecoveryRequested = false;
      }
      if (desiredUrl && String(browserState.url || '').trim() !== desiredUrl.trim()) {
        await send({ command: 'setBrowserUrl', url: desiredUrl });
        changes.urlChanged = true;
        allRequirementsMet = false;
      }
      if (desiredVisible !== null) {
        const currentlyVisible = !!(browserState.visible || browserState.focused || browserState.foreground);
        if (currentlyVisible !== desiredVisible) {
          await send({ command: desiredVisible ? 'showBrowser' : 'hideBrowser' });
          changes.visibilityChanged = true;
          allRequirementsMet = false;
        }
      }
    }
    if (allRequirementsMet) return { success: true, changes };
    await sleep(2000);
  }
  return { success: false, changes };
}
