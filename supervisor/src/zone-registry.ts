import type { ZoneRunner } from './zones/zone-runner.js';

/** Zones by name, in start order (a zone replaced by a reload keeps its place). Exact lookups only. */
export class ZoneRegistry {
  private readonly byName = new Map<string, ZoneRunner>();

  add(runner: ZoneRunner): void {
    this.byName.set(runner.name, runner);
  }

  remove(name: string): void {
    this.byName.delete(name);
  }

  get(name: string): ZoneRunner | undefined {
    return this.byName.get(name);
  }

  all(): ZoneRunner[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
