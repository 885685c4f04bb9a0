// The shipped systemd unit: `systemd-analyze verify` is clean and the sandbox rates <= 4.5 exposure.
// verify checks that ExecStart's program exists, and /usr/bin/node need not on a given machine, so it
// runs on a copy whose ExecStart names this Node and this checkout's supervisor; everything else is
// the shipped text.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const unitPath = fileURLToPath(new URL('../../scripts/mpvisor.service', import.meta.url));
const supervisorBin = fileURLToPath(new URL('../build/mpvisor.js', import.meta.url));
const MAX_EXPOSURE = 4.5;

const analyze = (args: string[]) => spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 30_000 });
const available = analyze(['--version']).status === 0;
const title = available
  ? 'scripts/mpvisor.service'
  : 'scripts/mpvisor.service (SKIPPED: systemd-analyze is not installed here)';
const test = available ? it : it.skip;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe(title, () => {
  test('systemd-analyze verify reports nothing', () => {
    const text = readFileSync(unitPath, 'utf8');
    const execStart = text.match(/^ExecStart=(\S+) (.*) \/opt\/mpvisor\/supervisor\/build\/mpvisor\.js (.*)$/m);
    expect(execStart).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'mpvisor-unit-'));
    dirs.push(dir);
    const copy = join(dir, 'mpvisor.service');
    writeFileSync(
      copy,
      text.replace(execStart![0], `ExecStart=${process.execPath} ${execStart![2]} ${supervisorBin} ${execStart![3]}`),
    );
    const r = analyze(['verify', copy]);
    expect({ status: r.status, output: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });

  test(`systemd-analyze security --offline=yes rates the exposure at most ${MAX_EXPOSURE}`, () => {
    const r = analyze(['security', '--offline=yes', unitPath]);
    const level = r.stdout.match(/Overall exposure level for mpvisor\.service: (\d+(?:\.\d+)?)/);
    expect(level).not.toBeNull();
    expect(Number(level![1])).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  test('every sandbox setting left out is named with its reason', () => {
    const text = readFileSync(unitPath, 'utf8');
    for (const setting of [
      'MemoryDenyWriteExecute',
      'PrivateTmp',
      'PrivateDevices',
      'PrivateUsers',
      'PrivateNetwork',
      'ProcSubset',
      'DynamicUser',
      'SystemCallFilter',
      'RootDirectory',
      'NotifyAccess',
    ]) {
      expect(text).toMatch(new RegExp(`^# - ${setting}=.*: `, 'm'));
    }
  });
});
