import { type PowerMethod, type PowerReading, toolError, toolOutput } from './power-method.js';
import type { RunTool } from './run-tool.js';

interface WaylandOutput {
  name: string;
  on: boolean;
}

/** `wlr-randr`: a header line per output (`NAME "description"`), then indented properties. */
export function parseWlrRandr(text: string): WaylandOutput[] {
  const outputs: WaylandOutput[] = [];
  for (const line of text.split('\n')) {
    const head = /^(\S+)(?: "|$)/.exec(line);
    if (head) outputs.push({ name: head[1]!, on: false });
    const enabled = /^\s+Enabled: (yes|no)/.exec(line);
    const last = outputs.at(-1);
    if (enabled && last) last.on = enabled[1] === 'yes';
  }
  return outputs;
}

/** `wlopm`: one `NAME on|off` line per output. */
export function parseWlopm(text: string): WaylandOutput[] {
  return text
    .split('\n')
    .map((line) => /^(\S+)\s+(on|off)\s*$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ name: m[1]!, on: m[2] === 'on' }));
}

/**
 * A wlroots compositor's output (labwc, wayfire, sway: Raspberry Pi OS Bookworm's desktops), the zone's
 * monitor index among the compositor's outputs. `wlopm` is display power proper (the output keeps its
 * place in the layout); `wlr-randr --off` disables the output, which is what wlroots compositors
 * without the power protocol offer.
 */
class WlrOutput implements PowerMethod {
  readonly label: string;
  private output: string | null = null;

  constructor(
    readonly name: 'wlopm' | 'wlr-randr',
    private readonly env: Record<string, string>,
    private readonly monitor: number,
  ) {
    this.label = `${name} on Wayland display ${env.WAYLAND_DISPLAY}`;
  }

  private async find(run: RunTool): Promise<WaylandOutput | string> {
    const out = toolOutput(await run(this.name, [], this.env), this.name);
    if (!out.ok) return out.error;
    const outputs = this.name === 'wlopm' ? parseWlopm(out.stdout) : parseWlrRandr(out.stdout);
    this.output ??= outputs[this.monitor]?.name ?? null;
    if (this.output === null) return `no output number ${this.monitor} (${this.name} lists ${outputs.length})`;
    return outputs.find((o) => o.name === this.output) ?? `output ${this.output} is gone`;
  }

  async read(run: RunTool): Promise<PowerReading> {
    const found = await this.find(run);
    return typeof found === 'string' ? { ok: false, error: found } : { ok: true, on: found.on };
  }

  async set(on: boolean, run: RunTool): Promise<string | null> {
    const found = await this.find(run);
    if (typeof found === 'string') return found;
    const args =
      this.name === 'wlopm' ? [on ? '--on' : '--off', found.name] : ['--output', found.name, on ? '--on' : '--off'];
    return toolError(await run(this.name, args, this.env), `${this.name} ${args.join(' ')}`);
  }
}

export const wlopm = (env: Record<string, string>, monitor: number): PowerMethod =>
  new WlrOutput('wlopm', env, monitor);
export const wlrRandr = (env: Record<string, string>, monitor: number): PowerMethod =>
  new WlrOutput('wlr-randr', env, monitor);
