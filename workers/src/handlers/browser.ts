import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveMediaFile } from '@mpvisor/config';
import { failed, type HandlerResult } from '@mpvisor/protocol';
import type { ZoneBrowser } from '../browser/zone-browser.js';
import type { Zone } from '../zone.js';
import type { HandlerFamily } from './types.js';
import { errorMessage } from '@mpvisor/sys';

/** ParadoxFX's browser commands; a file: page must lie inside the zone's media folder like any media file. */
export function browserHandlers(z: Zone, browser: ZoneBrowser) {
  const checked = async (url: string, then: (url: string) => Promise<HandlerResult>): Promise<HandlerResult> => {
    if (!/^file:/i.test(url)) return then(url);
    let file: string;
    try {
      file = fileURLToPath(url);
    } catch (err) {
      return { outcome: 'invalid', error_type: 'invalid_argument', message: `url: ${errorMessage(err)}` };
    }
    const resolved = await resolveMediaFile(z.boot.zone.media_dir, file);
    if (!resolved.ok) {
      return resolved.reason === 'outside'
        ? {
            outcome: 'invalid',
            error_type: 'path_outside_media',
            message: `browser page ${url} is outside the zone's media folder`,
          }
        : failed('file_not_found', `browser page ${url}: ${resolved.reason.replace(/_/g, ' ')}`);
    }
    // The file as resolved inside the folder (a leading / is read inside it), never the URL as sent.
    return then(pathToFileURL(resolved.path).href);
  };
  return {
    enableBrowser: (a) => checked(a.url, (u) => browser.enable(u)),
    disableBrowser: () => browser.disable(),
    showBrowser: () => browser.show(),
    hideBrowser: () => browser.hide(),
    setBrowserUrl: (a) => checked(a.url, (u) => browser.setUrl(u)),
    setBrowserKeepAlive: async (a) => browser.setKeepAlive(a.enabled),
  } satisfies HandlerFamily;
}
