#!/usr/bin/env node
// What each module costs a process that loads it: one fresh Node per module (and per repeat), timing the
// dynamic import and reading RSS and the live heap (after a full GC) once it has loaded, against a bare
// Node. Shows where a program's start-up time and memory go before anything of it runs.
// Uses the built dist/ (`npx tsc -b` first).
//
//   node scripts/bench-imports.mjs [--node PATH] [--repeat 5] [--json] [module ...]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    node: { type: 'string', default: process.execPath },
    repeat: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});

// Specifiers resolve from the supervisor's package, which depends on every library the programs use.
const DEFAULT = [
  'zod',
  '@mpvisor/protocol',
  'node-ipc',
  '@mpvisor/ipc',
  '@mpvisor/config',
  'winston',
  '@mpvisor/log',
  'mqtt',
  'yargs',
  'aedes',
  'pidusage',
  '@mpvisor/console',
  './workers/dist/zone.js',
  './supervisor/dist/app.js',
  './supervisor/dist/cli/main.js',
];

const probe = `
const t0 = performance.now();
if (process.argv[1]) await import(process.argv[1]);
const ms = performance.now() - t0;
globalThis.gc();
const m = process.memoryUsage();
console.log(JSON.stringify({ ms, rss: m.rss, heap: m.heapUsed }));
`;

const resolveSpec = (spec) =>
  spec.startsWith('./')
    ? pathToFileURL(join(root, spec)).href
    : execFileSync(
        flags.node,
        ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(spec)}))`],
        {
          cwd: join(root, 'supervisor'),
          encoding: 'utf8',
        },
      ).trim();

function measure(url) {
  const runs = [];
  for (let i = 0; i < Number(flags.repeat); i++) {
    const out = execFileSync(flags.node, ['--expose-gc', '--input-type=module', '-e', probe, url ?? ''], {
      cwd: join(root, 'supervisor'),
      encoding: 'utf8',
    });
    runs.push(JSON.parse(out.trim().split('\n').at(-1)));
  }
  const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return {
    ms: +median('ms').toFixed(1),
    rss_mb: +(median('rss') / 2 ** 20).toFixed(1),
    heap_mb: +(median('heap') / 2 ** 20).toFixed(1),
  };
}

const version = execFileSync(flags.node, ['-v'], { encoding: 'utf8' }).trim();
const bare = measure(null);
const rows = [];
for (const spec of positionals.length ? positionals : DEFAULT) {
  const m = measure(resolveSpec(spec));
  rows.push({
    module: spec,
    ...m,
    rss_added_mb: +(m.rss_mb - bare.rss_mb).toFixed(1),
    heap_added_mb: +(m.heap_mb - bare.heap_mb).toFixed(1),
  });
}
if (flags.json) console.log(JSON.stringify({ node: version, bare, rows }, null, 2));
else {
  console.log(
    `${version}, median of ${flags.repeat} fresh processes; bare node: RSS ${bare.rss_mb} MB, live heap ${bare.heap_mb} MB`,
  );
  console.log('| module (and what it imports) | import time | RSS added | live heap added |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| \`${r.module}\` | ${r.ms} ms | ${r.rss_added_mb} MB | ${r.heap_added_mb} MB |`);
}
