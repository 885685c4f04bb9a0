import { execFile } from 'node:child_process';
import { canConnect, pulseSocketPath } from './server-socket.js';
import {
  HOLD_PROPERTY,
  isOurs,
  moveTarget,
  OWNER_PROPERTY,
  ourSinks,
  parseSinkInputs,
  parseSinks,
  SAFE_NAME,
  SLAVES_PROPERTY,
  ZONE_PROPERTY,
  type PulseSink,
  type PulseSinkInput,
} from './parse.js';

export interface PactlOptions {
  /** Environment for pactl (PULSE_SERVER, XDG_RUNTIME_DIR...). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Bound on each pactl call. Default 5000 ms. */
  timeoutMs?: number;
  /** The pactl executable. Default `pactl` on PATH. */
  bin?: string;
}

export interface CombineSinkSpec {
  name: string;
  /** Sink names (without `pulse/`). */
  slaves: string[];
  /** Our installation id: stored as the sink property mpvisor.owner. */
  tag: string;
  /** The zone it is for (sink property mpvisor.zone). */
  zone?: string;
}

export interface UnloadedSink {
  name: string;
  module_index: number;
  zone: string | null;
  /** Streams moved off the sink before it was unloaded. */
  moved: number;
}

export interface UnloadReport {
  unloaded: UnloadedSink[];
  errors: string[];
}

export class PactlError extends Error {
  constructor(
    message: string,
    readonly args: string[],
  ) {
    super(message);
  }
}

/**
 * A small pactl wrapper: argument arrays (no shell), a timeout on every call, JSON output parsed at the
 * edge. It only ever unloads modules that own a sink carrying our tag (or, in loadCombineSink, the
 * module it has just loaded when that load did not produce our tagged sink). Works against PulseAudio
 * and pipewire-pulse alike; see docs/operations.md for what differs.
 */
export class Pactl {
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly bin: string;

  constructor(opts: PactlOptions = {}) {
    this.env = opts.env ?? process.env;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.bin = opts.bin ?? 'pactl';
  }

  /**
   * Is a server there? A unix socket is tried with a plain connect first, so an absent server never makes
   * pactl autospawn one; a tcp: server is asked with `pactl info`.
   */
  async reachable(): Promise<boolean> {
    const socket = pulseSocketPath(this.env);
    if (socket !== null) {
      if (!(await canConnect(socket, Math.min(1000, this.timeoutMs)))) return false;
    } else if (!this.env.PULSE_SERVER) return false;
    return this.run(['info']).then(
      () => true,
      () => false,
    );
  }

  run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.bin,
        args,
        { env: this.env, timeout: this.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) {
            const detail = String(stderr).trim() || err.message;
            reject(new PactlError(`pactl ${args.join(' ')}: ${detail}`, args));
          } else resolve(String(stdout));
        },
      );
    });
  }

  async listSinks(): Promise<PulseSink[]> {
    return parseSinks(await this.run(['-f', 'json', 'list', 'sinks']));
  }

  async listSinkInputs(): Promise<PulseSinkInput[]> {
    return parseSinkInputs(await this.run(['-f', 'json', 'list', 'sink-inputs']));
  }

  async defaultSink(): Promise<string | null> {
    const name = (await this.run(['get-default-sink']).catch(() => '')).trim();
    return name === '' ? null : name;
  }

  /** Loads module-combine-sink with our tag in its sink_properties; resolves with the module index. */
  async loadCombineSink(spec: CombineSinkSpec): Promise<number> {
    const names = [spec.name, ...spec.slaves, spec.tag, ...(spec.zone ? [spec.zone] : [])];
    const bad = names.find((n) => !SAFE_NAME.test(n));
    if (bad !== undefined) throw new PactlError(`unsafe name for a module argument: ${JSON.stringify(bad)}`, []);
    if (spec.slaves.length === 0) throw new PactlError('a combine sink needs at least one slave', []);
    const props = [
      `${OWNER_PROPERTY}=${spec.tag}`,
      ...(spec.zone ? [`${ZONE_PROPERTY}=${spec.zone}`] : []),
      `${SLAVES_PROPERTY}=${spec.slaves.join(',')}`,
      `device.description=mpvisor-${spec.zone ?? spec.name}`,
    ];
    const args = [
      'load-module',
      'module-combine-sink',
      `sink_name=${spec.name}`,
      `slaves=${spec.slaves.join(',')}`,
      `sink_properties="${props.join(' ')}"`,
    ];
    return this.loadTagged(args, spec.name, spec.tag, spec.zone);
  }

  /**
   * An isolated zone's own sink: a module-null-sink carrying our tag, its zone, and its device as its one
   * slave (where unloadOurSinks moves its streams). It keeps the zone's clock whatever its device does;
   * loadBridge carries its sound to the device.
   */
  async loadZoneSink(spec: { name: string; device: string; tag: string; zone: string }): Promise<number> {
    const bad = [spec.name, spec.device, spec.tag, spec.zone].find((n) => !SAFE_NAME.test(n));
    if (bad !== undefined) throw new PactlError(`unsafe name for a module argument: ${JSON.stringify(bad)}`, []);
    const props = [
      `${OWNER_PROPERTY}=${spec.tag}`,
      `${ZONE_PROPERTY}=${spec.zone}`,
      `${SLAVES_PROPERTY}=${spec.device}`,
      `device.description=mpvisor-${spec.zone}`,
    ];
    return this.loadTagged(
      ['load-module', 'module-null-sink', `sink_name=${spec.name}`, `sink_properties="${props.join(' ')}"`],
      spec.name,
      spec.tag,
      spec.zone,
    );
  }

  /**
   * The bridge from an isolated zone's sink to its device: a module-loopback from the sink's monitor whose
   * stream may not be moved (`sink_dont_move`, `source_dont_move`). When the device goes, both servers end
   * the loopback instead of rescuing its stream to their default sink, and the zone is heard nowhere; when
   * the zone's sink goes, the loopback goes with it. Its stream carries our tag and the zone. Resolves with
   * the module index once the stream plays to the device.
   */
  async loadBridge(spec: {
    sink: string;
    device: string;
    tag: string;
    zone: string;
    latencyMs: number;
  }): Promise<number> {
    const bad = [spec.sink, spec.device, spec.tag, spec.zone].find((n) => !SAFE_NAME.test(n));
    if (bad !== undefined) throw new PactlError(`unsafe name for a module argument: ${JSON.stringify(bad)}`, []);
    const props = [`${OWNER_PROPERTY}=${spec.tag}`, `${ZONE_PROPERTY}=${spec.zone}`, `media.name=mpvisor-${spec.zone}`];
    const args = [
      'load-module',
      'module-loopback',
      `source=${spec.sink}.monitor`,
      `sink=${spec.device}`,
      'sink_dont_move=true',
      'source_dont_move=true',
      `latency_msec=${Math.round(spec.latencyMs)}`,
      `sink_input_properties="${props.join(' ')}"`,
    ];
    const out = (await this.run(args)).trim();
    if (!/^\d+$/.test(out))
      throw new PactlError(`pactl load-module printed ${JSON.stringify(out)}, not a module index`, args);
    const index = Number(out);
    for (let i = 0; i < 5; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      const [sinks, inputs] = await Promise.all([this.listSinks(), this.listSinkInputs()]);
      const device = sinks.find((s) => s.name === spec.device);
      if (inputs.some((x) => x.owner_module === index && x.sink === device?.index)) return index;
    }
    await this.unloadModule(index).catch(() => undefined);
    throw new PactlError(
      `module ${index} loaded but its stream does not play to ${spec.device}; unloaded it again`,
      args,
    );
  }

  /** Loads a silent module-null-sink carrying our tag (the holding sink); resolves with the module index. */
  async loadHoldSink(spec: { name: string; tag: string }): Promise<number> {
    const bad = [spec.name, spec.tag].find((n) => !SAFE_NAME.test(n));
    if (bad !== undefined) throw new PactlError(`unsafe name for a module argument: ${JSON.stringify(bad)}`, []);
    const props = [`${OWNER_PROPERTY}=${spec.tag}`, `${HOLD_PROPERTY}=1`, 'device.description=mpvisor-holding-silent'];
    return this.loadTagged(
      ['load-module', 'module-null-sink', `sink_name=${spec.name}`, `sink_properties="${props.join(' ')}"`],
      spec.name,
      spec.tag,
      undefined,
    );
  }

  private async loadTagged(args: string[], name: string, tag: string, zone: string | undefined): Promise<number> {
    const out = (await this.run(args)).trim();
    if (!/^\d+$/.test(out))
      throw new PactlError(`pactl load-module printed ${JSON.stringify(out)}, not a module index`, args);
    const index = Number(out);
    // PipeWire accepts module arguments it does not understand without a word (PulseAudio refuses the
    // load): make sure the module made a sink of that name carrying our tag, or we could never clean it up.
    let sink: PulseSink | undefined;
    for (let i = 0; i < 5 && sink === undefined; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      sink = (await this.listSinks()).find((s) => s.owner_module === index && s.name === name);
    }
    if (sink !== undefined && isOurs(sink, tag) && sink.properties[ZONE_PROPERTY] === zone) return index;
    // The module index was handed to us just now, so this module is ours whatever its sink looks like.
    await this.unloadModule(index).catch(() => undefined);
    throw new PactlError(
      `module ${index} loaded but ${sink === undefined ? `made no sink ${name}` : `its sink ${name} lacks our properties`}; unloaded it again`,
      args,
    );
  }

  async moveSinkInput(input: number, sink: string): Promise<void> {
    await this.run(['move-sink-input', String(input), sink]);
  }

  async unloadModule(index: number): Promise<void> {
    await this.run(['unload-module', String(index)]);
  }

  /**
   * Unload every sink carrying our tag (optionally only those of some zones, or one module): streams
   * playing to it are moved to its first slave (or the default sink) first, then its owner_module is
   * unloaded. A sink without our tag is never touched, whatever its name or module.
   */
  async unloadOurSinks(
    tag: string,
    filter: { zones?: readonly string[]; moduleIndex?: number; name?: string } = {},
  ): Promise<UnloadReport> {
    const report: UnloadReport = { unloaded: [], errors: [] };
    const sinks = await this.listSinks();
    const mine = ourSinks(sinks, tag, filter.zones).filter(
      (s) =>
        (filter.moduleIndex === undefined || s.owner_module === filter.moduleIndex) &&
        (filter.name === undefined || s.name === filter.name),
    );
    if (mine.length === 0) return report;
    const inputs = await this.listSinkInputs().catch((err: Error): PulseSinkInput[] => {
      report.errors.push(err.message);
      return [];
    });
    const fallback = await this.defaultSink();
    for (const sink of mine) {
      if (sink.owner_module === null) {
        report.errors.push(`sink ${sink.name} has no owner module; left alone`);
        continue;
      }
      let moved = 0;
      const target = moveTarget(
        sink,
        sinks.filter((s) => !mine.includes(s)),
        fallback,
      );
      for (const input of inputs.filter((i) => i.sink === sink.index && i.owner_module !== sink.owner_module)) {
        if (target === null) {
          report.errors.push(`no sink to move stream ${input.index} to; it follows PulseAudio's choice`);
          break;
        }
        await this.moveSinkInput(input.index, target).then(
          () => moved++,
          (err: Error) => report.errors.push(err.message),
        );
      }
      // Re-checked right before the unload: module indexes get reused (PipeWire), so the module must still own a tagged sink.
      const now = (await this.listSinks()).find((s) => s.owner_module === sink.owner_module && s.name === sink.name);
      if (!now || !isOurs(now, tag)) continue;
      try {
        await this.unloadModule(sink.owner_module);
        report.unloaded.push({
          name: sink.name,
          module_index: sink.owner_module,
          zone: sink.properties[ZONE_PROPERTY] ?? null,
          moved,
        });
      } catch (err) {
        report.errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    return report;
  }
}
