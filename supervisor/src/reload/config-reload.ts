import {
  ConfigError,
  diffConfigs,
  ROLE_VOLUME_KEYS,
  formatProblem,
  loadConfigFile,
  type ConfigDiff,
  type MpvisorConfig,
  type ZoneConfig,
} from '@mpvisor/config';
import type { Logger } from '@mpvisor/log';
import { failed, success, warning, type HandlerResult } from '@mpvisor/protocol';
import type { SystemHandler } from '../commands/dispatcher.js';
import type { ResetCoordinator } from '../reset/coordinator.js';
import { preserveMedia } from '../reset/preserve.js';
import type { ZoneRegistry } from '../zone-registry.js';
import type { ZoneRunner } from '../zones/zone-runner.js';
import { emptyReloadProgress, type ReloadPhase, type ReloadProgress, type ReloadStatus } from './reload-status.js';
import { errorMessage } from '@mpvisor/sys';

/** What a reload needs of the running supervisor; app.ts gives it, so the reload holds no part itself. */

const isRoleVolumeKey = (key: string): key is keyof typeof ROLE_VOLUME_KEYS => Object.hasOwn(ROLE_VOLUME_KEYS, key);

export interface ReloadDeps {
  /** The configuration in force (replaced by commit). */
  current: () => MpvisorConfig;
  zones: ZoneRegistry;
  resets: ResetCoordinator;
  /** A zone's runner on the new configuration, its combine sink made first for a combined zone; not started. */
  buildRunner: (zone: ZoneConfig) => Promise<ZoneRunner>;
  /** A zone gone for good: runner and configuration forgotten, its combine sink unloaded. */
  forgetZone: (zone: string) => Promise<void>;
  /** Subscriptions follow the zones' topics now in force. */
  resubscribe: () => { subscribed: string[]; unsubscribed: string[] };
  /** [mqtt] changed (called before commit): the embedded broker as the new section wants it, then the link reconnects. */
  reconnectMqtt: (config: MpvisorConfig) => Promise<void>;
  /** The new configuration is in force (zones, [mqtt]); [global]/[system:main] stay as they started. */
  commit: (config: MpvisorConfig) => void;
  publish: (status: ReloadStatus) => void;
  lifecycle: (zone: string, event: string, detail: Record<string, unknown>) => void;
  /** Bound on the whole reload (the new workers' start included). */
  timeoutMs: () => number;
  log: Logger;
}

const live = (r: ZoneRunner) => r.state === 'ready' || r.state === 'degraded';

/**
 * `reload_config` (also `mpvisor reload` and SIGHUP): read and validate the file; if it has any error,
 * change nothing and answer `failed` / `config_error` with every problem. Otherwise apply the
 * difference: removed zones stop, changed zones restart with their media preserved (or take a volume
 * or a limit in place), added zones start, unchanged zones are not touched; the MQTT link reconnects
 * only if [mqtt] changed. Runs while no reset can start, with phases published like a reset's.
 */
export class ConfigReload {
  constructor(private readonly deps: ReloadDeps) {}

  handler(): SystemHandler<'reload_config'> {
    return (args, _spec, ctx) => {
      const file = args.file ?? null;
      // Whoever may publish on the system topic must not make the supervisor read any file it can: over
      // MQTT only the file it runs from is reloaded; another file is the machine owner's choice (CLI).
      if (file !== null && ctx.origin !== 'cli' && file !== this.deps.current().source) {
        return Promise.resolve({
          outcome: 'invalid',
          error_type: 'disabled',
          message: `reload_config over MQTT reloads ${this.deps.current().source ?? 'the running config'} only; load another file with \`mpvisor reload FILE\` on the machine`,
        });
      }
      return this.reload(file, ctx.id, ctx.progress);
    };
  }

  async reload(
    fileArg: string | null,
    id: string | null,
    progress?: (s: ReloadStatus) => void,
  ): Promise<HandlerResult> {
    const { deps } = this;
    const started = performance.now();
    const file = fileArg ?? deps.current().source;
    const p = emptyReloadProgress();
    const errors: string[] = [];
    const emit = (phase: ReloadPhase) => {
      const status: ReloadStatus = {
        timestamp: new Date().toISOString(),
        type: 'system_reload_status',
        id,
        phase,
        file,
        progress: { ...p },
        errors: [...errors],
        duration_ms: Math.round(performance.now() - started),
      };
      deps.publish(status);
      progress?.(status);
    };
    emit('starting');
    if (file === null) {
      errors.push('running the built-in demo: there is no file to reload; give one with "file"');
      emit('failed');
      return failed('config_error', errors[0]!);
    }
    let next: MpvisorConfig;
    try {
      next = await loadConfigFile(file);
    } catch (err) {
      const problems =
        err instanceof ConfigError
          ? err.problems.filter((q) => q.severity === 'error')
          : [{ severity: 'error' as const, section: '', message: errorMessage(err) }];
      errors.push(...problems.map(formatProblem));
      emit('failed');
      deps.log.warn('config reload refused: the file has errors; nothing changed', { file, errors: errors.join('; ') });
      return failed('config_error', `${file} has ${problems.length} error(s); nothing changed: ${errors.join('; ')}`, {
        file,
        problems,
      });
    }
    const diff = diffConfigs(deps.current(), next);
    emit('validated');
    const applied = await deps.resets.exclusive('a config reload', async () => {
      emit('applying');
      return this.apply(diff, next, p, errors, started);
    });
    if (applied === null) {
      errors.push(`${deps.resets.describeBusy() ?? 'a reset is running'}; try again when it is done`);
      emit('failed');
      return failed('busy', errors[errors.length - 1]!);
    }
    emit(errors.length === 0 ? 'complete' : 'failed');
    const result = { file, ...applied, progress: p, errors, duration_ms: Math.round(performance.now() - started) };
    deps.log.info('config reloaded', {
      file,
      added: applied.added.join(','),
      removed: applied.removed.join(','),
      restarted: applied.restarted.join(','),
      in_place: applied.changed_in_place.join(','),
      mqtt_reconnected: p.mqtt_reconnected,
      errors: errors.join('; ') || undefined,
    });
    const summary = `added ${p.zones_added}, removed ${p.zones_removed}, restarted ${p.zones_restarted}, changed in place ${p.zones_changed_in_place}, unchanged ${applied.unchanged.length}${p.mqtt_reconnected ? ', MQTT reconnected' : ''}`;
    if (errors.length > 0)
      return failed('internal', `reload applied with errors (${summary}): ${errors.join('; ')}`, result);
    if (applied.not_applied.length > 0)
      return warning(
        `reloaded (${summary}); takes effect at the next start: ${applied.not_applied.join(', ')}`,
        result,
      );
    return success(`reloaded (${summary})`, result);
  }

  private async apply(diff: ConfigDiff, next: MpvisorConfig, p: ReloadProgress, errors: string[], started: number) {
    const { deps } = this;
    for (const z of diff.removed) {
      const runner = deps.zones.get(z.name);
      deps.lifecycle(z.name, 'removed', { reason: 'config reload' });
      if (runner) await runner.stop('removed by config reload');
      await deps.forgetZone(z.name);
      p.zones_removed++;
    }
    const starting: ZoneRunner[] = [];
    if (diff.restarted.length > 0) {
      const old = diff.restarted
        .map((c) => deps.zones.get(c.before.name))
        .filter((r): r is ZoneRunner => r !== undefined);
      const resumes = await preserveMedia(old);
      for (const r of old)
        deps.lifecycle(r.name, 'reconfigured', {
          reason: 'config reload',
          keys: diff.restarted.find((c) => c.before.name === r.name)!.keys,
          preserve_state: true,
        });
      await Promise.all(old.map((r) => r.halt({ graceful: true, boundMs: 1000 })));
      for (const c of diff.restarted) {
        const runner = await deps.buildRunner(c.after);
        runner.relaunch(resumes.get(c.after.name));
        starting.push(runner);
        p.zones_restarted++;
      }
    }
    for (const c of diff.inPlace) {
      const runner = deps.zones.get(c.after.name);
      if (!runner) continue;
      runner.reconfigure(c.after);
      if (c.keys.includes('volume') && live(runner)) {
        const out = await runner.request('setVolume', { volume: c.after.volume }, null, 5000);
        if (out.outcome === 'failed') errors.push(`zone ${c.after.name}: setVolume ${c.after.volume}: ${out.message}`);
      }
      const keys = c.keys.filter(isRoleVolumeKey);
      if (keys.length > 0 && live(runner)) {
        const volumes = Object.fromEntries(keys.map((key) => [ROLE_VOLUME_KEYS[key], c.after[key]]));
        const out = await runner.request('setVolume', { volumes }, null, 5000);
        if (out.outcome === 'failed')
          errors.push(`zone ${c.after.name}: setVolume ${JSON.stringify(volumes)}: ${out.message}`);
      }
      deps.lifecycle(c.after.name, 'reconfigured', { reason: 'config reload', keys: c.keys, in_place: true });
      p.zones_changed_in_place++;
    }
    for (const z of diff.added) {
      const runner = await deps.buildRunner(z);
      runner.start();
      starting.push(runner);
      p.zones_added++;
    }
    if (diff.mqtt.length > 0) {
      try {
        await deps.reconnectMqtt(next);
        p.mqtt_reconnected = true;
      } catch (err) {
        errors.push(`MQTT: ${errorMessage(err)}`);
      }
    }
    deps.commit(next);
    const topics = deps.resubscribe();
    const remaining = Math.max(0, deps.timeoutMs() - (performance.now() - started));
    await Promise.all(starting.map((r) => settledWithin(r, remaining)));
    for (const r of starting) if (!live(r)) errors.push(`zone ${r.name} is ${r.state} after the reload`);
    return {
      added: diff.added.map((z) => z.name),
      removed: diff.removed.map((z) => z.name),
      restarted: diff.restarted.map((c) => c.after.name),
      changed_in_place: diff.inPlace.map((c) => c.after.name),
      unchanged: diff.unchanged,
      changed_keys: Object.fromEntries([...diff.restarted, ...diff.inPlace].map((c) => [c.after.name, c.keys])),
      mqtt_changed: diff.mqtt,
      topics,
      not_applied: diff.other,
    };
  }
}

function settledWithin(r: ZoneRunner, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void r.settled().then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
