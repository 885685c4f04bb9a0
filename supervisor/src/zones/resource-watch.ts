import type { RestartPolicyConfig } from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import type { ResourceUsage } from '@mpvisor/protocol';
import pidusage from 'pidusage';
import { errorMessage } from '@mpvisor/sys';

/** One process of a zone, as the resource watch samples it. */
export interface ZoneProcess {
  pid: number;
  role: string;
}

/** What the watch needs of a zone: its processes, its policy, and where to put the results. */
export interface WatchedZone {
  readonly name: string;
  readonly policy: RestartPolicyConfig;
  processes(): ZoneProcess[];
  setResources(usage: ResourceUsage | null): void;
  resourceLimit(message: string): void;
}

export interface ProcessUsage extends ZoneProcess {
  cpu_percent: number;
  rss_mb: number;
}

export interface ZoneUsage extends ResourceUsage {
  per_process: ProcessUsage[];
}

/** Samples in a row over a limit before it counts: a single CPU spike (a file load) is not a problem. */
export const SUSTAIN_SAMPLES = 3;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Sum a zone's per-process figures; a process that vanished between listing and sampling is skipped. */
export function zoneUsage(procs: ZoneProcess[], stats: Record<string, pidusage.Status | null | undefined>): ZoneUsage {
  const per: ProcessUsage[] = [];
  for (const p of procs) {
    const s = stats[p.pid];
    if (!s) continue;
    per.push({ ...p, cpu_percent: round1(s.cpu), rss_mb: round1(s.memory / 1048576) });
  }
  return {
    cpu_percent: round1(per.reduce((n, p) => n + p.cpu_percent, 0)),
    rss_mb: round1(per.reduce((n, p) => n + p.rss_mb, 0)),
    processes: per.length,
    per_process: per,
  };
}

/** Which limit a sample breaks, if any (pure). */
export function limitBroken(policy: RestartPolicyConfig, u: ResourceUsage): string | null {
  if (policy.max_rss_mb !== undefined && u.rss_mb > policy.max_rss_mb)
    return `RSS ${u.rss_mb} MB over max_rss_mb ${policy.max_rss_mb}`;
  if (policy.max_cpu_percent !== undefined && u.cpu_percent > policy.max_cpu_percent) {
    return `CPU ${u.cpu_percent}% over max_cpu_percent ${policy.max_cpu_percent}`;
  }
  return null;
}

/** Consecutive samples over a limit: returns the new streak; it fires exactly when it reaches `sustain`. */
export const nextStreak = (streak: number, broken: boolean): number => (broken ? streak + 1 : 0);

export interface ResourceWatchOptions {
  zones: () => WatchedZone[];
  intervalMs: number;
  log: Logger;
  sustainSamples?: number;
}

/**
 * Per-process CPU% and RSS of every worker and mpv of every zone, in one pidusage call per interval
 * (pidusage reads /proc; ~0.13 ms a PID). Zone totals go to zone state, details to `metrics`.
 */
export class ResourceWatch {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly streaks = new Map<string, number>();
  private latest: Record<string, ZoneUsage> = {};

  constructor(private readonly opts: ResourceWatchOptions) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    pidusage.clear();
  }

  /** Latest usage per zone, per process, for `metrics`. */
  snapshot(): Record<string, ZoneUsage> {
    return this.latest;
  }

  private schedule(): void {
    if (!this.running) return;
    // A chain of timeouts, not an interval: a slow sample never overlaps the next one.
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule()), this.opts.intervalMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    const zones = this.opts.zones();
    const procs = new Map(zones.map((z) => [z.name, z.processes()]));
    const pids = [...new Set([...procs.values()].flat().map((p) => p.pid))];
    let stats: Record<string, pidusage.Status | null> = {};
    if (pids.length > 0) {
      try {
        stats = await pidusage(pids);
      } catch (err) {
        this.opts.log.debug('pidusage failed', { error: errorMessage(err) });
      }
    }
    if (!this.running) return;
    const sustain = this.opts.sustainSamples ?? SUSTAIN_SAMPLES;
    const latest: Record<string, ZoneUsage> = {};
    for (const zone of zones) {
      const list = procs.get(zone.name) ?? [];
      if (list.length === 0) {
        zone.setResources(null);
        this.streaks.set(zone.name, 0);
        continue;
      }
      const usage = zoneUsage(list, stats);
      latest[zone.name] = usage;
      zone.setResources({ cpu_percent: usage.cpu_percent, rss_mb: usage.rss_mb, processes: usage.processes });
      const broken = limitBroken(zone.policy, usage);
      const streak = nextStreak(this.streaks.get(zone.name) ?? 0, broken !== null);
      this.streaks.set(zone.name, streak);
      if (broken && streak === sustain) zone.resourceLimit(`${broken} for ${sustain} samples`);
    }
    this.latest = latest;
  }
}
