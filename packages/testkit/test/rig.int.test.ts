import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createRig, isAlive } from '@mpvisor/testkit';

// The rig's promise to the suites: what it started, its close() stops, and a set-up that fails half way
// leaves nothing behind either. Real Mosquitto, supervisor, workers and mpv.

/** The temp folders of this prefix that exist now. */
const foldersOf = (prefix: string) => readdirSync(tmpdir()).filter((f) => f.startsWith(`${prefix}-`));

describe('createRig', () => {
  it('close() stops the supervisor with its workers and mpv, the broker, and removes the folder', async () => {
    const rig = await createRig({ prefix: 'mpvrig' });
    const sup = rig.start(rig.config({ zones: ['one'] }));
    await rig.ready('one', 0, 20_000);
    expect(await rig.cmd('one', { command: 'getState' })).toMatchObject({ outcome: 'success', zone: 'one' });
    expect(await rig.sys({ command: 'status' })).toMatchObject({ outcome: 'success' });
    const tree = sup.tree();
    expect(tree.length).toBeGreaterThanOrEqual(3);
    const brokerPid = rig.broker.pid()!;
    await rig.close();
    expect([sup.pid, brokerPid, ...tree].filter(isAlive)).toEqual([]);
    expect(existsSync(rig.dir.path)).toBe(false);
  }, 45_000);

  it('a broker that does not start: createRig rejects and removes its folder', async () => {
    const prefix = `mpvrigbad${randomBytes(3).toString('hex')}`;
    await expect(createRig({ prefix, brokerConf: ['no_such_option true'] })).rejects.toThrow(/mosquitto/);
    expect(foldersOf(prefix)).toEqual([]);
  }, 20_000);

  it('sup before any start is a clear error, and close() with no supervisor still stops the rest', async () => {
    const rig = await createRig({ prefix: 'mpvrig' });
    expect(() => rig.sup).toThrow('no supervisor started on this rig');
    const brokerPid = rig.broker.pid()!;
    await rig.close();
    expect(isAlive(brokerPid)).toBe(false);
    expect(existsSync(rig.dir.path)).toBe(false);
  }, 20_000);
});
