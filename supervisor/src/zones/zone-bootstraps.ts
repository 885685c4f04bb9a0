import type { ZoneConfig } from '@mpvisor/config';
import type { WorkerResume } from '@mpvisor/protocol';
import { resumeOf } from '../state-store.js';
import type { WorkerBootstrap } from './bootstrap.js';
import type { ZoneRunner } from './zone-runner.js';

/** A zone's configuration as its worker sees it: on the sink mpvisor made for it, when there is one. */
export function withDevice(zone: ZoneConfig, device: string | null): ZoneConfig {
  return device ? { ...zone, audio_device: device } : zone;
}

/**
 * Each zone's worker bootstrap, and what the zones resume across supervisor runs. The first worker of
 * a zone replays what the zone played when the last supervisor stopped (zones.json); once it has
 * started, later workers of this run do not. The bootstraps are the runners' own objects, so a change
 * here (a reset's new audio device) reaches the next worker.
 */
export class ZoneBootstraps {
  private readonly byZone = new Map<string, WorkerBootstrap>();
  private readonly atStop = new Map<string, WorkerResume>();

  /** `saved`: zones.json as the last supervisor left it. */
  constructor(private readonly saved: Record<string, WorkerResume>) {}

  /** Remembers a zone's bootstrap and adds what that zone played when the last supervisor stopped. */
  keep(boot: WorkerBootstrap): WorkerBootstrap {
    const saved = this.saved[boot.zone.name];
    const resume = saved && (saved.background || saved.volume !== undefined) ? { resume: saved } : {};
    const full = { ...boot, ...resume };
    this.byZone.set(boot.zone.name, full);
    return full;
  }

  /** The device the zone's next worker plays to: a sink mpvisor made for it (null: its configured one). */
  setDevice(config: ZoneConfig, device: string | null): void {
    const boot = this.byZone.get(config.name);
    if (boot) boot.zone = withDevice(config, device);
  }

  /** The zone's first worker is past starting: the saved state has been replayed. */
  replayed(zone: string): void {
    delete this.byZone.get(zone)?.resume;
  }

  /** What a zone played as the supervisor stopped, asked of its worker at that moment. */
  stoppedWith(zone: string, media: WorkerResume): void {
    this.atStop.set(zone, media);
  }

  /** What zones.json should hold now: live media where known, else what was saved and not replayed yet. */
  snapshot(runners: readonly ZoneRunner[]): Record<string, WorkerResume> {
    const out: Record<string, WorkerResume> = {};
    for (const r of runners) {
      const snap = r.snapshot();
      out[r.name] = this.atStop.get(r.name) ?? (snap.background ? resumeOf(snap) : (this.saved[r.name] ?? {}));
    }
    return out;
  }
}
