import type { Logger } from '@mpvisor/log';
import { CommandError, success, warning, type CommandSpec, type HandlerResult } from '@mpvisor/protocol';
import type { ZoneRegistry } from '../zone-registry.js';
import type { ZoneRunner } from '../zones/zone-runner.js';
import type { SystemHandlerFamily } from './dispatcher.js';

/** Worker commands that change nothing audible or visible: answered at once even while paused. */
const READS = new Set(['getState', 'getConfig', 'speechQueue', 'videoQueue', 'getMpvProperty']);
/** Held per zone while paused; past it a media command fails rather than grow without end. */
const MAX_HELD = 100;
const REQUEST_MS = 5000;

interface Held {
  command: string;
  args: Record<string, unknown>;
  id: string | null;
}

export interface SystemPauseDeps {
  zones: ZoneRegistry;
  log: Logger;
  warning: (zone: string, message: string) => void;
  /** The system state follows: `paused` while on, the zones' own state once off. */
  changed: (paused: boolean) => void;
}

/**
 * System `pause` / `resume`. Pause sends each zone's worker `pauseAll`; a zone a game master had
 * already paused with its own `pauseAll` stays as it was and is not resumed by `resume`. While paused,
 * media commands are held (answered `warning` / `paused`) and carried out in order at resume, so nothing
 * is heard before it; a worker that starts during the pause (crash, reset, reload) is paused once ready.
 */
export class SystemPause {
  private on = false;
  /** Zone -> the worker pid we paused, so a new worker of the zone is paused too. */
  private readonly pausedBy = new Map<string, number>();
  /** Zones already paused by their own pauseAll (worker pid): left as they are, and not resumed. */
  private readonly leftAlone = new Map<string, number>();
  private readonly held = new Map<string, Held[]>();

  constructor(private readonly deps: SystemPauseDeps) {}

  get active(): boolean {
    return this.on;
  }

  handlers() {
    return {
      pause: (_a, _s, ctx) => this.pause(ctx.id),
      resume: (_a, _s, ctx) => this.resume(ctx.id),
    } satisfies SystemHandlerFamily;
  }

  /** Null: run the command now. Otherwise the outcome of a command held until resume. */
  gate(zone: string, spec: CommandSpec, args: Record<string, unknown>, id: string | null): HandlerResult | null {
    if (!this.on || spec.handledBy !== 'worker' || READS.has(spec.name)) return null;
    const list = this.held.get(zone) ?? [];
    if (list.length >= MAX_HELD)
      throw new CommandError(
        'queue_full',
        `the system is paused and zone ${zone} already holds ${MAX_HELD} commands for resume`,
      );
    list.push({ command: spec.name, args, id });
    this.held.set(zone, list);
    return warning(`the system is paused: ${spec.name} runs at resume`, { held: list.length }, 'paused');
  }

  private async pause(id: string | null): Promise<HandlerResult> {
    if (this.on) return warning('the system is already paused', { zones: [...this.pausedBy.keys()] });
    this.on = true;
    this.deps.changed(true);
    const results = await Promise.all(this.deps.zones.all().map((r) => this.pauseZone(r, id)));
    const failed = results.filter((r) => r.error !== null);
    const result = {
      paused: results.filter((r) => r.paused).map((r) => r.zone),
      already_paused: results.filter((r) => r.already).map((r) => r.zone),
      failed: failed.map((r) => ({ zone: r.zone, message: r.error })),
    };
    if (failed.length > 0)
      return warning(`system paused; not reached: ${failed.map((r) => `${r.zone} (${r.error})`).join(', ')}`, result);
    return success(`system paused (${result.paused.length} zones)`, result);
  }

  private async pauseZone(
    r: ZoneRunner,
    id: string | null,
  ): Promise<{ zone: string; paused: boolean; already: boolean; error: string | null }> {
    const pid = r.pid;
    const out = await r.request('pauseAll', {}, id, REQUEST_MS);
    if (out.outcome === 'success' && pid !== null) {
      this.pausedBy.set(r.name, pid);
      return { zone: r.name, paused: true, already: false, error: null };
    }
    if (out.outcome === 'warning' && pid !== null) this.leftAlone.set(r.name, pid);
    return {
      zone: r.name,
      paused: false,
      already: out.outcome === 'warning',
      error: out.outcome === 'warning' ? null : out.message,
    };
  }

  /** A zone's worker became ready while paused: a new one (crash, reset, reload) gets paused too. */
  zoneReady(r: ZoneRunner): void {
    if (!this.on || r.pid === null || this.pausedBy.get(r.name) === r.pid || this.leftAlone.get(r.name) === r.pid)
      return;
    const pid = r.pid;
    this.pausedBy.set(r.name, pid);
    void r.request('pauseAll', {}, null, REQUEST_MS).then((out) => {
      if (out.outcome === 'failed')
        this.deps.warning(r.name, `could not pause the zone's new worker during a system pause: ${out.message}`);
    });
  }

  /** A zone removed by a reload: nothing to resume or replay there. */
  forget(zone: string): void {
    this.pausedBy.delete(zone);
    this.held.delete(zone);
  }

  private async resume(id: string | null): Promise<HandlerResult> {
    if (!this.on) return warning('the system is not paused');
    this.on = false;
    const zones = [...this.pausedBy.keys()];
    const held = new Map(this.held);
    this.pausedBy.clear();
    this.leftAlone.clear();
    this.held.clear();
    const errors: string[] = [];
    await Promise.all(
      zones.map(async (zone) => {
        const r = this.deps.zones.get(zone);
        if (!r) return;
        const out = await r.request('resumeAll', {}, id, REQUEST_MS);
        if (out.outcome === 'failed') errors.push(`${zone}: ${out.message}`);
        await this.replay(r, held.get(zone) ?? []);
      }),
    );
    for (const [zone, list] of held) {
      const r = this.deps.zones.get(zone);
      if (r && !zones.includes(zone)) await this.replay(r, list);
    }
    this.deps.changed(false);
    const result = { resumed: zones, replayed: Object.fromEntries([...held].map(([z, l]) => [z, l.length])), errors };
    return errors.length > 0
      ? warning(`system resumed; ${errors.join('; ')}`, result)
      : success(`system resumed (${zones.length} zones)`, result);
  }

  /** Held commands in the order they came; their outcomes were already given, so a failure is a warning. */
  private async replay(r: ZoneRunner, list: Held[]): Promise<void> {
    for (const h of list) {
      const out = await r.request(h.command, h.args, h.id, REQUEST_MS);
      this.deps.log.info('held command run at resume', {
        zone: r.name,
        command: h.command,
        id: h.id ?? undefined,
        outcome: out.outcome,
      });
      if (out.outcome === 'failed' || out.outcome === 'invalid')
        this.deps.warning(r.name, `${h.command} held during the pause failed at resume: ${out.message}`);
    }
  }
}
