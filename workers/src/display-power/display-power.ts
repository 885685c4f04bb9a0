import type { ScreenPower } from '@mpvisor/protocol';
import type { PowerMethod } from './power-method.js';
import { type RunTool, toolsUntil } from './run-tool.js';
import { wlopm, wlrRandr } from './wayland.js';
import { XDpms } from './x11-dpms.js';
import { XRandr } from './x11-randr.js';

/** One switch or read, every tool it runs included; below the supervisor's 10 s wait for a worker answer. */
const BUDGET_MS = 8000;
const CALL_MS = 3000;

export type SwitchResult = { ok: true; method: string; label: string } | { ok: false; tried: string[] };

export interface PowerEnv {
  /** The zone's X display (its `display` key, else the worker's DISPLAY). */
  display: string | undefined;
  /** The worker's environment: WAYLAND_DISPLAY and XDG_RUNTIME_DIR say a Wayland compositor runs. */
  env: NodeJS.ProcessEnv;
  /** The zone's monitor (target_monitor, else xinerama_screen). */
  monitor: number | undefined;
}

/**
 * The ways to switch a zone's screen, in the order they are tried. Wayland first: where a compositor
 * runs, DISPLAY is its Xwayland, which can switch nothing. On X, DPMS sleeps every monitor of the
 * display, so a zone that names its monitor switches that output alone through RandR first.
 */
export function powerMethods(e: PowerEnv): PowerMethod[] {
  const monitor = e.monitor ?? 0;
  const methods: PowerMethod[] = [];
  if (e.env.WAYLAND_DISPLAY) {
    const wayland = { WAYLAND_DISPLAY: e.env.WAYLAND_DISPLAY, XDG_RUNTIME_DIR: e.env.XDG_RUNTIME_DIR ?? '' };
    methods.push(wlopm(wayland, monitor), wlrRandr(wayland, monitor));
  }
  if (e.display) {
    const dpms = new XDpms(e.display);
    const randr = new XRandr(e.display, monitor);
    methods.push(...(e.monitor === undefined ? [dpms, randr] : [randr, dpms]));
  }
  return methods;
}

/**
 * A screen zone's display power. A switch counts only when the server, asked afterwards, reports the new
 * state; otherwise the next method is tried, and a failure names what each one answered. Calls run one
 * at a time, so a probe and a switch never interleave their tools.
 */
export class DisplayPower {
  private last: PowerMethod | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly methods: PowerMethod[],
    private readonly tools: (deadline: number) => RunTool = (deadline) => toolsUntil(deadline, CALL_MS),
    private readonly budgetMs = BUDGET_MS,
  ) {}

  get available(): boolean {
    return this.methods.length > 0;
  }

  switch(on: boolean): Promise<SwitchResult> {
    return this.serial(() => this.trySwitch(on));
  }

  /** What the first method that can read the screen reports; `unknown` when none can. */
  read(): Promise<ScreenPower> {
    return this.serial(async () => {
      const run = this.tools(Date.now() + this.budgetMs);
      for (const m of this.ordered()) {
        const reading = await m.read(run);
        if (reading.ok) return reading.on ? 'on' : 'off';
      }
      return 'unknown';
    });
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The method that worked last goes first: a wake uses what put the screen to sleep. */
  private ordered(): PowerMethod[] {
    return this.last ? [this.last, ...this.methods.filter((m) => m !== this.last)] : this.methods;
  }

  private async trySwitch(on: boolean): Promise<SwitchResult> {
    const run = this.tools(Date.now() + this.budgetMs);
    const tried: string[] = [];
    for (const m of this.ordered()) {
      const error = await m.set(on, run);
      if (error !== null) {
        tried.push(`${m.label}: ${error}`);
        continue;
      }
      const reading = await m.read(run);
      if (reading.ok && reading.on === on) {
        this.last = m;
        return { ok: true, method: m.name, label: m.label };
      }
      const after = reading.ok ? `the display still reports ${reading.on ? 'on' : 'off'}` : reading.error;
      tried.push(`${m.label}: accepted, but ${after}`);
    }
    return { ok: false, tried };
  }
}
