import { describe, expect, it } from '@jest/globals';
import { DisplayPower, powerMethods } from '../src/display-power/display-power.js';
import { type RunTool, type ToolResult, toolsUntil } from '../src/display-power/run-tool.js';

// Pure logic against fake display servers that answer like xset, xrandr, wlopm and wlr-randr do; the real
// RandR path runs against TigerVNC's Xvnc in screen-power.int.test.ts.
const ok = (stdout: string, stderr = '', code = 0): ToolResult => ({ ok: true, code, stdout, stderr });
const missing = (cmd: string): ToolResult => ({ ok: false, error: `${cmd} is not installed` });

class FakeX {
  calls: string[] = [];
  dpms: { enabled: boolean; monitor: 'on' | 'off' } | null = null;
  /** Accepts `dpms force off` and keeps the monitor on (a driver that ignores DPMS). */
  ignoresForce = false;
  randr = true;
  outputs = [
    { name: 'HDMI-1', on: true },
    { name: 'HDMI-2', on: true },
  ];

  run: RunTool = async (cmd, args) => {
    const a = args.slice(2);
    this.calls.push([cmd, ...a].join(' '));
    if (cmd === 'xset') return this.xset(a);
    if (cmd === 'xrandr') return this.randr ? this.xrandr(a) : missing('xrandr');
    return missing(cmd);
  };

  private xset(a: string[]): ToolResult {
    const d = this.dpms;
    if (a[0] === 'q') {
      if (!d) return ok('DPMS (Energy Star):\n  Server does not have the DPMS Extension\n');
      const state = d.enabled
        ? `  DPMS is Enabled\n  Monitor is ${d.monitor === 'on' ? 'On' : 'Off'}\n`
        : '  DPMS is Disabled\n';
      return ok(`DPMS (Energy Star):\n  Standby: 600    Suspend: 600    Off: 600\n${state}`);
    }
    if (!d) return ok('', 'server does not have extension for dpms option');
    if (a[0] === '+dpms') d.enabled = true;
    else if (a[0] === '-dpms') Object.assign(d, { enabled: false, monitor: 'on' });
    else if (!d.enabled) return ok('', 'X Error of failed request:  BadMatch (invalid parameter attributes)', 1);
    else if (!this.ignoresForce) d.monitor = a[2] === 'on' ? 'on' : 'off';
    return ok('');
  }

  private xrandr(a: string[]): ToolResult {
    if (a[0] === '--current')
      return ok(
        this.outputs
          .map((o) =>
            o.on
              ? `${o.name} connected 1920x1080+0+0 0mm x 0mm\n   1920x1080  60.00*+\n`
              : `${o.name} connected\n   1920x1080  60.00 +\n`,
          )
          .join(''),
      );
    const out = this.outputs.find((o) => o.name === a[1]);
    if (!out) return ok('', `warning: output ${a[1]} not found; ignoring`, 1);
    out.on = a[2] !== '--off';
    return ok('');
  }
}

const powerOf = (x: FakeX, monitor?: number) =>
  new DisplayPower(powerMethods({ display: ':0', env: {}, monitor }), () => x.run);

describe('DisplayPower on X', () => {
  it('DPMS: enables it to force the monitor off, and a wake puts back the disabled setting found', async () => {
    const x = new FakeX();
    x.dpms = { enabled: false, monitor: 'on' };
    const power = powerOf(x);
    expect(await power.read()).toBe('on');
    expect(await power.switch(false)).toEqual({ ok: true, method: 'dpms', label: 'DPMS through xset on :0' });
    expect(x.dpms).toEqual({ enabled: true, monitor: 'off' });
    expect(await power.read()).toBe('off');
    expect(await power.switch(true)).toMatchObject({ ok: true, method: 'dpms' });
    expect(x.dpms).toEqual({ enabled: false, monitor: 'on' });
    expect(x.calls.filter((c) => c !== 'xset q')).toEqual([
      'xset +dpms',
      'xset dpms force off',
      'xset dpms force on',
      'xset -dpms',
    ]);
  });

  it('a wake with DPMS disabled (as ParadoxFX leaves it) is done: the monitor is on, nothing is forced', async () => {
    const x = new FakeX();
    x.dpms = { enabled: false, monitor: 'on' };
    expect(await powerOf(x).switch(true)).toMatchObject({ ok: true, method: 'dpms' });
    expect(x.calls).toEqual(['xset q', 'xset q']);
  });

  it('DPMS already enabled stays enabled after the wake', async () => {
    const x = new FakeX();
    x.dpms = { enabled: true, monitor: 'on' };
    const power = powerOf(x);
    await power.switch(false);
    await power.switch(true);
    expect(x.dpms).toEqual({ enabled: true, monitor: 'on' });
    expect(x.calls).not.toContain('xset -dpms');
  });

  it('without DPMS: the first connected output through RandR, woken with the mode and place it had', async () => {
    const x = new FakeX();
    const power = powerOf(x);
    expect(await power.switch(false)).toMatchObject({ ok: true, method: 'randr' });
    expect(x.outputs).toEqual([
      { name: 'HDMI-1', on: false },
      { name: 'HDMI-2', on: true },
    ]);
    expect(await power.switch(true)).toMatchObject({ ok: true, method: 'randr' });
    expect(x.calls).toContain('xrandr --output HDMI-1 --mode 1920x1080 --rate 60.00 --pos 0x0');
    expect(x.outputs[0]!.on).toBe(true);
  });

  it('a zone that names its monitor switches that output alone, RandR before DPMS', async () => {
    const x = new FakeX();
    x.dpms = { enabled: true, monitor: 'on' };
    const power = powerOf(x, 1);
    expect(await power.switch(false)).toMatchObject({ ok: true, method: 'randr' });
    expect(x.outputs.map((o) => o.on)).toEqual([true, false]);
    expect(x.dpms.monitor).toBe('on');
  });

  it('a switch the server accepts but does not show fails, naming each method and its answer', async () => {
    const x = new FakeX();
    x.dpms = { enabled: true, monitor: 'on' };
    x.ignoresForce = true;
    x.randr = false;
    const result = await powerOf(x).switch(false);
    expect(result).toEqual({
      ok: false,
      tried: [
        'DPMS through xset on :0: accepted, but the display still reports on',
        'RandR through xrandr on :0: xrandr is not installed',
      ],
    });
  });

  it('a monitor number beyond the outputs fails saying how many there are; nothing readable is unknown', async () => {
    const x = new FakeX();
    const result = await powerOf(x, 5).switch(false);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.tried[0]).toBe(
      'RandR through xrandr on :0: no connected output number 5 (xrandr lists 2)',
    );
    x.randr = false;
    expect(await powerOf(x).read()).toBe('unknown');
  });

  it('calls run one at a time: a wake sent during a sleep runs after it', async () => {
    const x = new FakeX();
    x.dpms = { enabled: true, monitor: 'on' };
    const slow: RunTool = async (cmd, args, env) => {
      await new Promise((r) => setTimeout(r, 5));
      return x.run(cmd, args, env);
    };
    const power = new DisplayPower(powerMethods({ display: ':0', env: {}, monitor: undefined }), () => slow);
    const [slept, woke] = await Promise.all([power.switch(false), power.switch(true)]);
    expect([slept.ok, woke.ok]).toEqual([true, true]);
    expect(x.calls.filter((c) => c.includes('force'))).toEqual(['xset dpms force off', 'xset dpms force on']);
    expect(x.dpms.monitor).toBe('on');
  });
});

describe('DisplayPower on Wayland', () => {
  const env = { WAYLAND_DISPLAY: 'wayland-1', XDG_RUNTIME_DIR: '/run/user/1000' };

  it('wlopm when installed (labwc), else wlr-randr; the compositor environment goes with every call', async () => {
    for (const hasWlopm of [true, false]) {
      const on = new Map([['HDMI-A-1', true]]);
      const seen: string[] = [];
      const run: RunTool = async (cmd, args, e) => {
        seen.push([cmd, ...args, e?.WAYLAND_DISPLAY].join(' '));
        if (cmd === 'wlopm' && !hasWlopm) return missing(cmd);
        const name = args.find((a) => on.has(a));
        if (name) on.set(name, args.includes('--on'));
        if (cmd === 'wlopm') return ok([...on].map(([n, v]) => `${n} ${v ? 'on' : 'off'}\n`).join(''));
        return ok([...on].map(([n, v]) => `${n} "Monitor"\n  Enabled: ${v ? 'yes' : 'no'}\n`).join(''));
      };
      const power = new DisplayPower(powerMethods({ display: ':0', env, monitor: undefined }), () => run);
      expect(await power.switch(false)).toMatchObject({ ok: true, method: hasWlopm ? 'wlopm' : 'wlr-randr' });
      expect(on.get('HDMI-A-1')).toBe(false);
      expect(seen).toContain(
        hasWlopm ? 'wlopm --off HDMI-A-1 wayland-1' : 'wlr-randr --output HDMI-A-1 --off wayland-1',
      );
    }
  });

  it('no X display and no Wayland display: nothing to switch', () => {
    expect(new DisplayPower(powerMethods({ display: undefined, env: {}, monitor: undefined })).available).toBe(false);
  });
});

describe('toolsUntil', () => {
  it('ends a tool at the shared deadline, names a missing one, and passes the exit code on', async () => {
    const run = toolsUntil(Date.now() + 300, 3000);
    expect(await run('sleep', ['5'])).toEqual({
      ok: false,
      error: expect.stringMatching(/^sleep did not finish within \d+ ms$/),
    });
    expect(await run('sleep', ['0'])).toEqual({ ok: false, error: 'no time left to run sleep' });
    const fresh = toolsUntil(Date.now() + 5000, 3000);
    expect(await fresh('mpvisor-no-such-tool', [])).toEqual({
      ok: false,
      error: 'mpvisor-no-such-tool is not installed',
    });
    expect(await fresh('sh', ['-c', 'echo out; echo err >&2; exit 3'])).toEqual({
      ok: true,
      code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
  });
});
