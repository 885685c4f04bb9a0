import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

export const ASSET_NAMES = ['index.html', 'app.js', 'render.js', 'actions.js', 'style.css', 'icon.svg'] as const;

export interface Asset {
  body: Buffer;
  type: string;
}

/** The page's few files, read once at start from the package's public/ folder: nothing comes from elsewhere. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const dir = fileURLToPath(new URL('../public/', import.meta.url));
  const assets = new Map<string, Asset>();
  for (const name of ASSET_NAMES) {
    assets.set(name, { body: await readFile(`${dir}${name}`), type: TYPES[name.split('.').pop()!]! });
  }
  return assets;
}
