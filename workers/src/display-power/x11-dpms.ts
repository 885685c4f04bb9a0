import { type PowerMethod, type PowerReading, toolError, toolOutput } from './power-method.js';
import type { RunTool } from './run-tool.js';

export type DpmsStatus =
  | { capable: false; reason: string }
  | { capable: true; enabled: boolean; monitor: 'on' | 'off' | 'standby' | 'suspend' };

/**
 * The DPMS part of `xset q`. xset prints "Monitor is ..." only while DPMS is enabled; a disabled DPMS
 * keeps the monitor on.
 */
export function parseXsetDpms(text: string): DpmsStatus {
  if (/Server does not have the DPMS Extension/i.test(text))
    return { capable: false, reason: 'the X server has no DPMS extension' };
  if (/not capable of DPMS/i.test(text)) return { capable: false, reason: 'the display is not capable of DPMS' };
  const enabled = /DPMS is Enabled/i.test(text);
  if (!enabled && !/DPMS is Disabled/i.test(text)) return { capable: false, reason: 'xset q printed no DPMS section' };
  const monitor = /Monitor is (?:in )?(On|Off|Standby|Suspend)/i.exec(text)?.[1]?.toLowerCase();
  return {
    capable: true,
    enabled,
    monitor: enabled && (monitor === 'off' || monitor === 'standby' || monitor === 'suspend') ? monitor : 'on',
  };
}

/**
 * DPMS on an X display: every monitor of the display sleeps. Forcing a level needs DPMS enabled, and an
 * enabled DPMS also blanks the screen by itself after its timeouts, so waking puts back the
 * enabled/disabled setting found before the sleep.
 */
export class XDpms implements PowerMethod {
  readonly name = 'dpms';
  readonly label: string;
  private restoreDisabled = false;

  constructor(private readonly display: string) {
    this.label = `DPMS through xset on ${display}`;
  }

  private async status(run: RunTool): Promise<DpmsStatus | { error: string }> {
    const out = toolOutput(await run('xset', ['-display', this.display, 'q']), 'xset q');
    return out.ok ? parseXsetDpms(out.stdout) : { error: out.error };
  }

  async read(run: RunTool): Promise<PowerReading> {
    const s = await this.status(run);
    if ('error' in s) return { ok: false, error: s.error };
    if (!s.capable) return { ok: false, error: s.reason };
    return { ok: true, on: s.monitor === 'on' };
  }

  async set(on: boolean, run: RunTool): Promise<string | null> {
    const s = await this.status(run);
    if ('error' in s) return s.error;
    if (!s.capable) return s.reason;
    const xset = async (args: string[]) =>
      toolError(await run('xset', ['-display', this.display, ...args]), `xset ${args.join(' ')}`, true);
    if (on) {
      // The server refuses to force a level while DPMS is disabled, and a disabled DPMS means the monitor is on.
      if (!s.enabled) return null;
      const error = await xset(['dpms', 'force', 'on']);
      if (error || !this.restoreDisabled) return error;
      this.restoreDisabled = false;
      return xset(['-dpms']);
    }
    if (!s.enabled) {
      const error = await xset(['+dpms']);
      if (error) return error;
      this.restoreDisabled = true;
    }
    return xset(['dpms', 'force', 'off']);
  }
}
