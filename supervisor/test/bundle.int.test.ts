import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundledCliPath, createRig, isAlive, sleep, type Rig } from '@mpvisor/testkit';

// The bundled programs are what `npm start` and the systemd unit run; the other suites run the compiled tree.
describe('the bundled programs (supervisor/build, scripts/bundle.mjs)', () => {
  const base = 'mpvb';
  let rig: Rig;

  beforeAll(async () => {
    rig = await createRig({ prefix: 'mpvb', base });
    rig.start(rig.config({ zones: ['alpha'] }), { entry: bundledCliPath });
  }, 20_000);

  afterAll(async () => {
    await rig?.close();
  }, 20_000);

  it('the zone comes up on the bundled worker, and the bundled CLI reports it', async () => {
    await rig.ready('alpha', 0, 15_000);
    const status = JSON.parse(
      execFileSync(process.execPath, [bundledCliPath, 'status', '--json', '--run-dir', rig.sup.runDir], {
        encoding: 'utf8',
      }),
    );
    const worker = status.zones[0].pid;
    expect(isAlive(worker)).toBe(true);
    const argv = readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain(join(dirname(bundledCliPath), 'zone-worker.js'));
  }, 20_000);

  it('commands reach mpv through the bundled supervisor and worker', async () => {
    const cmd = `${base}/alpha/commands`;
    const events = `${base}/alpha/events`;
    const outcome = await rig.probe.command(cmd, events, {
      command: 'playBackground',
      file: 'tone-220.wav',
      loop: true,
    });
    expect(outcome).toMatchObject({ outcome: 'success', command: 'playBackground', zone: 'alpha' });
    const read = async () =>
      (await rig.probe.command(cmd, events, { command: 'getMpvProperty', role: 'background', property: 'time-pos' }))
        .result.value;
    const t1 = await read();
    await sleep(600);
    expect((await read()) - t1).toBeGreaterThan(0.3);
    const invalid = await rig.probe.command(cmd, events, { command: 'setVolume', volume: 'loud' });
    expect(invalid.outcome).toBe('invalid');
    // zod's English messages survive the bundle (its other locales are left out).
    expect(invalid.message).toContain('expected number');
  }, 20_000);
});
