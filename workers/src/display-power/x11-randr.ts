import { type PowerMethod, type PowerReading, toolError, toolOutput } from './power-method.js';
import type { RunTool } from './run-tool.js';

export interface RandrOutput {
  name: string;
  connected: boolean;
  /** The mode it shows now, or null while it is off. */
  current: { mode: string; rate: string | null; x: number; y: number } | null;
}

/** The outputs `xrandr --current` lists, in its order (the same text as `--query`). */
export function parseXrandr(text: string): RandrOutput[] {
  const outputs: RandrOutput[] = [];
  let last: { out: RandrOutput; pos: { x: number; y: number } | null } | null = null;
  for (const line of text.split('\n')) {
    const head = /^(\S+) (connected|disconnected)(?: primary)?(?: (\d+)x(\d+)\+(\d+)\+(\d+))?/.exec(line);
    if (head) {
      const out: RandrOutput = { name: head[1]!, connected: head[2] === 'connected', current: null };
      outputs.push(out);
      last = { out, pos: head[3] === undefined ? null : { x: Number(head[5]), y: Number(head[6]) } };
      continue;
    }
    const mode = /^\s+(\S+)\s+(.*)$/.exec(line);
    if (!mode || !last?.pos || !mode[2]!.includes('*')) continue;
    const rate = /([\d.]+)\*/.exec(mode[2]!)?.[1] ?? null;
    last.out.current = { mode: mode[1]!, rate, ...last.pos };
  }
  return outputs;
}

/**
 * One output of an X display through RandR, as ParadoxFX does it (`xrandr --output NAME --off`): only the
 * zone's monitor goes dark. The output is the zone's monitor index among the connected outputs; waking
 * gives it back the mode and position it had (its preferred mode when this worker never saw it on).
 */
export class XRandr implements PowerMethod {
  readonly name = 'randr';
  readonly label: string;
  private output: string | null = null;
  private lastOn: NonNullable<RandrOutput['current']> | null = null;

  constructor(
    private readonly display: string,
    private readonly monitor: number,
  ) {
    this.label = `RandR through xrandr on ${display}`;
  }

  /** `--current`: the server's configuration as it stands; `--query` would re-probe every monitor's EDID. */
  private async find(run: RunTool): Promise<RandrOutput | string> {
    const out = toolOutput(await run('xrandr', ['-display', this.display, '--current']), 'xrandr --current');
    if (!out.ok) return out.error;
    const outputs = parseXrandr(out.stdout);
    if (this.output === null) {
      const candidates = outputs.filter((o) => o.connected || o.current);
      const chosen = candidates[this.monitor];
      if (!chosen) return `no connected output number ${this.monitor} (xrandr lists ${candidates.length})`;
      this.output = chosen.name;
    }
    return outputs.find((o) => o.name === this.output) ?? `output ${this.output} is gone`;
  }

  async read(run: RunTool): Promise<PowerReading> {
    const found = await this.find(run);
    return typeof found === 'string' ? { ok: false, error: found } : { ok: true, on: found.current !== null };
  }

  async set(on: boolean, run: RunTool): Promise<string | null> {
    const found = await this.find(run);
    if (typeof found === 'string') return found;
    if (found.current) this.lastOn = found.current;
    const last = this.lastOn;
    const how = !on
      ? ['--off']
      : last
        ? ['--mode', last.mode, ...(last.rate ? ['--rate', last.rate] : []), '--pos', `${last.x}x${last.y}`]
        : ['--preferred'];
    const args = ['--output', found.name, ...how];
    return toolError(await run('xrandr', ['-display', this.display, ...args]), `xrandr ${args.join(' ')}`);
  }
}
