import { describe, expect, it } from '@jest/globals';
import { parseWlopm, parseWlrRandr } from '../src/display-power/wayland.js';
import { parseXsetDpms } from '../src/display-power/x11-dpms.js';
import { parseXrandr } from '../src/display-power/x11-randr.js';

// Tool output as the tools print it: Xvfb, nxagent and TigerVNC's Xvnc here; the DPMS-capable and
// Raspberry Pi forms follow xset's, xrandr's, wlr-randr's and wlopm's print statements.
const xsetHead = 'Screen Saver:\n  prefer blanking:  yes    allow exposures:  yes\n  timeout:  600    cycle:  600\n';

describe('parseXsetDpms', () => {
  it('a server without the extension (Xvfb, Xvnc, Xorg dummy) and a display not capable of it (nxagent)', () => {
    expect(parseXsetDpms(`${xsetHead}DPMS (Energy Star):\n  Server does not have the DPMS Extension\n`)).toEqual({
      capable: false,
      reason: 'the X server has no DPMS extension',
    });
    expect(parseXsetDpms(`${xsetHead}DPMS (Energy Star):\n  Display is not capable of DPMS\n`)).toMatchObject({
      capable: false,
    });
    expect(parseXsetDpms(xsetHead)).toMatchObject({ capable: false, reason: 'xset q printed no DPMS section' });
  });

  it('enabled with the monitor on, off or in standby; disabled (no monitor line) reads as on', () => {
    const dpms = (tail: string) =>
      parseXsetDpms(`${xsetHead}DPMS (Energy Star):\n  Standby: 600    Suspend: 600    Off: 600\n${tail}`);
    expect(dpms('  DPMS is Enabled\n  Monitor is On\n')).toEqual({ capable: true, enabled: true, monitor: 'on' });
    expect(dpms('  DPMS is Enabled\n  Monitor is Off\n')).toEqual({ capable: true, enabled: true, monitor: 'off' });
    expect(dpms('  DPMS is Enabled\n  Monitor is in Standby\n')).toMatchObject({ monitor: 'standby' });
    expect(dpms('  DPMS is Disabled\n')).toEqual({ capable: true, enabled: false, monitor: 'on' });
  });
});

describe('parseXrandr', () => {
  it("TigerVNC's output on, then off (it reports a disabled output as disconnected)", () => {
    const on =
      'Screen 0: minimum 32 x 32, current 800 x 600, maximum 32768 x 32768\n' +
      'VNC-0 connected 800x600+0+0 0mm x 0mm\n   800x600       60.00*+\n   1920x1200     60.00  \n';
    expect(parseXrandr(on)).toEqual([
      { name: 'VNC-0', connected: true, current: { mode: '800x600', rate: '60.00', x: 0, y: 0 } },
    ]);
    const off =
      'Screen 0: minimum 32 x 32, current 32 x 32, maximum 32768 x 32768\n' +
      'VNC-0 disconnected\n   800x600       60.00 +\n   1920x1200     60.00  \n';
    expect(parseXrandr(off)).toEqual([{ name: 'VNC-0', connected: false, current: null }]);
  });

  it('two monitors, the second off; a primary output; several rates on one mode line', () => {
    const text =
      'Screen 0: minimum 320 x 200, current 1920 x 1080, maximum 7680 x 7680\n' +
      'HDMI-1 connected primary 1920x1080+0+0 (normal left inverted right x axis y axis) 531mm x 299mm\n' +
      '   1920x1080     60.00 +  50.00*   59.94  \n   1280x720      60.00    50.00  \n' +
      'HDMI-2 connected (normal left inverted right x axis y axis)\n   1920x1080     60.00 +\n' +
      'Composite-1 disconnected (normal left inverted right x axis y axis)\n';
    expect(parseXrandr(text)).toEqual([
      { name: 'HDMI-1', connected: true, current: { mode: '1920x1080', rate: '50.00', x: 0, y: 0 } },
      { name: 'HDMI-2', connected: true, current: null },
      { name: 'Composite-1', connected: false, current: null },
    ]);
  });
});

describe('Wayland tools', () => {
  it('wlr-randr: outputs with their Enabled line', () => {
    const text =
      'HDMI-A-1 "Samsung Electric Company S24F350 H4ZN100000 (HDMI-A-1)"\n  Physical size: 530x300 mm\n' +
      '  Enabled: yes\n  Modes:\n    1920x1080 px, 60.000000 Hz (preferred, current)\n  Position: 0,0\n' +
      'HDMI-A-2 "Unknown (HDMI-A-2)"\n  Enabled: no\n  Modes:\n    1280x720 px, 60.000000 Hz (preferred)\n';
    expect(parseWlrRandr(text)).toEqual([
      { name: 'HDMI-A-1', on: true },
      { name: 'HDMI-A-2', on: false },
    ]);
  });

  it('wlopm: NAME on|off per line', () => {
    expect(parseWlopm('HDMI-A-1 on\nHDMI-A-2 off\n')).toEqual([
      { name: 'HDMI-A-1', on: true },
      { name: 'HDMI-A-2', on: false },
    ]);
    expect(parseWlopm('')).toEqual([]);
  });
});
