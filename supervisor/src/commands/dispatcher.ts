import type { Logger } from '@mpvisor/log';
import {
  CommandError,
  type CommandTable,
  parseCommandPayload,
  peekCommand,
  peekId,
  parseJsonObject,
  type CommandEnvelope,
  type CommandOutcome,
  type CommandSpec,
  type HandlerResult,
  isSystemCommand,
  parseSystemArgs,
  type SystemArgs,
  type SystemCommandName,
} from '@mpvisor/protocol';
import { RecentIds } from './recent-ids.js';
import { errorMessage } from '@mpvisor/sys';

export type CommandSource = { kind: 'zone'; zone: string } | { kind: 'system' };

export interface CommandContext {
  id: string | null;
  source: CommandSource;
  origin: string;
  signal: AbortSignal;
  /** Progress reports before the outcome (reset phases); the CLI's control connection streams them. */
  progress?: ((event: unknown) => void) | undefined;
}

export type CommandHandler = (
  args: Record<string, unknown>,
  spec: CommandSpec,
  ctx: CommandContext,
) => Promise<HandlerResult>;

/** A command's arguments parsed once, and its handler bound to them (undefined: none). */
interface Bound {
  args: Record<string, unknown>;
  handler: CommandHandler | undefined;
}

/** A system command's handler: its arguments as the command's schema outputs them. */
export type SystemHandler<K extends SystemCommandName> = (
  args: SystemArgs<K>,
  spec: CommandSpec,
  ctx: CommandContext,
) => Promise<HandlerResult>;

/** A handler for every system command: a missing or misnamed one, or a wrong argument, fails to compile. */
export type SystemHandlers = { [K in SystemCommandName]: SystemHandler<K> };

/** What a family of system handlers satisfies. */
export type SystemHandlerFamily = Partial<SystemHandlers>;

export interface DispatcherOptions {
  zoneTable: CommandTable;
  systemTable: CommandTable;
  /** Resolves the handler for a command on a zone topic; may reject the zone (unknown, wrong kind). */
  zoneHandler: (zone: string, spec: CommandSpec, args: Record<string, unknown>) => CommandHandler | HandlerResult;
  /** Complete in the supervisor (build-dispatcher); a command without one is answered not_implemented. */
  systemHandlers: SystemHandlerFamily;
  log: Logger;
  timeoutMs: number;
  /** Commands allowed while the supervisor is stopping (read-only ones). */
  allowedWhileStopping: ReadonlySet<string>;
  /** Checks a `zones` list of a system command before any handler runs; absent: not checked. */
  zoneExists?: (zone: string) => boolean;
  /** A longer bound for some commands (resets carry their own timeout); undefined: timeoutMs. */
  timeoutFor?: (command: string, args: Record<string, unknown>) => number | undefined;
}

export interface DispatchExtra {
  progress?: (event: unknown) => void;
  /**
   * Who asked, where the transport says (an MQTT 5 response topic with its correlation data): ids are
   * de-duplicated per requester, so two controllers reusing an id never answer each other's commands.
   * Absent: the origin (the command topic, or the CLI).
   */
  requester?: string;
}

/** A repeated id is answered again within a minute; the cache holds at most 2,000 outcomes and ~1 MB. */
const RECENT_IDS = { windowMs: 60_000, maxEntries: 2000, maxBytes: 1 << 20 };

export interface DispatcherStats {
  received: number;
  duplicates: number;
  by_outcome: Record<'success' | 'failed' | 'warning' | 'invalid', number>;
}

/**
 * The one place that turns a payload into exactly one outcome: parse, de-duplicate by id, look up,
 * validate, run with a timeout, and turn anything thrown into a failed outcome with the caller's id.
 */
export class Dispatcher {
  private readonly recent = new RecentIds<CommandOutcome>(RECENT_IDS, (o) => JSON.stringify(o).length);
  private stopping = false;
  private readonly counts: DispatcherStats = {
    received: 0,
    duplicates: 0,
    by_outcome: { success: 0, failed: 0, warning: 0, invalid: 0 },
  };

  constructor(private readonly opts: DispatcherOptions) {}

  refuseNewCommands(): void {
    this.stopping = true;
  }

  stats(): DispatcherStats {
    return { ...this.counts, by_outcome: { ...this.counts.by_outcome } };
  }

  async dispatch(
    source: CommandSource,
    payload: Buffer | string,
    origin: string,
    extra: DispatchExtra = {},
  ): Promise<CommandOutcome> {
    const started = performance.now();
    this.counts.received++;
    const zone = source.kind === 'zone' ? source.zone : null;
    let envelope: CommandEnvelope;
    try {
      envelope = parseCommandPayload(payload);
    } catch (err) {
      const peek = safePeek(payload);
      return this.finish(toResult(err), { command: peek.command, id: peek.id, zone, started, origin });
    }
    const key = envelope.id === null ? null : JSON.stringify([zone, extra.requester ?? origin, envelope.id]);
    if (key !== null) {
      const previous = this.recent.get(key);
      if (previous) {
        this.counts.duplicates++;
        this.opts.log.info('duplicate command id answered again', { zone, id: envelope.id, command: envelope.command });
        return { ...(await previous), timestamp: new Date().toISOString() };
      }
    }
    const run = this.run(source, envelope, origin, extra.progress).then((result) =>
      this.finish(result, {
        command: envelope.command,
        id: envelope.id,
        zone,
        started,
        origin,
        parameters: envelope.args,
      }),
    );
    if (key !== null) this.recent.set(key, run);
    return run;
  }

  private async run(
    source: CommandSource,
    env: CommandEnvelope,
    origin: string,
    progress?: (event: unknown) => void,
  ): Promise<HandlerResult> {
    const table = source.kind === 'zone' ? this.opts.zoneTable : this.opts.systemTable;
    const spec = table.lookup(env.command);
    if (!spec) {
      return {
        outcome: 'invalid',
        error_type: 'unknown_command',
        message: `unknown command "${env.command}"; send {"command":"help"} to the system topic for the list`,
      };
    }
    if (this.stopping && !this.opts.allowedWhileStopping.has(spec.name)) {
      return {
        outcome: 'failed',
        error_type: 'shutting_down',
        message: 'mpvisor is shutting down and takes no new commands',
      };
    }
    let args: Record<string, unknown>;
    let handler: CommandHandler | HandlerResult | undefined;
    try {
      if (source.kind === 'zone') {
        args = table.parseArgs(spec, env.args);
        handler = this.opts.zoneHandler(source.zone, spec, args);
      } else {
        const bound = this.bindSystem(spec, env.args);
        args = bound.args;
        this.checkZoneList(spec.name, args);
        handler = bound.handler;
      }
    } catch (err) {
      return toResult(err);
    }
    if (handler === undefined) {
      return { outcome: 'failed', error_type: 'not_implemented', message: `${spec.name} is not implemented yet` };
    }
    if (typeof handler !== 'function') return handler;
    const abort = new AbortController();
    const fn = handler;
    const limitMs = this.opts.timeoutFor?.(spec.name, args) ?? this.opts.timeoutMs;
    const timeout = new Promise<HandlerResult>((resolve) => {
      const t = setTimeout(() => {
        abort.abort();
        resolve({
          outcome: 'failed',
          error_type: 'timeout',
          message: `${spec.name} did not finish within ${limitMs} ms`,
        });
      }, limitMs);
      abort.signal.addEventListener('abort', () => clearTimeout(t));
    });
    const work = Promise.resolve()
      .then(() => fn(args, spec, { id: env.id, source, origin, signal: abort.signal, progress }))
      .catch((err: unknown) => toResult(err, this.opts.log));
    try {
      return await Promise.race([work, timeout]);
    } finally {
      abort.abort();
    }
  }

  /** The system handler bound to its arguments, parsed to the type the handler declares. */
  private bindSystem(spec: CommandSpec, raw: Record<string, unknown>): Bound {
    if (!isSystemCommand(spec.name)) return { args: this.opts.systemTable.parseArgs(spec, raw), handler: undefined };
    return this.bindSystemCommand(spec.name, raw);
  }

  private bindSystemCommand<K extends SystemCommandName>(name: K, raw: Record<string, unknown>): Bound {
    const args = parseSystemArgs(name, raw);
    const handler: SystemHandler<K> | undefined = this.opts.systemHandlers[name];
    return { args, handler: handler && ((_args, spec, ctx) => handler(args, spec, ctx)) };
  }

  /** `zones: [...]` on a system command names enabled zones only: an unknown name is invalid, not ignored. */
  private checkZoneList(command: string, args: Record<string, unknown>): void {
    const exists = this.opts.zoneExists;
    if (!exists || !Array.isArray(args.zones)) return;
    const unknown = args.zones.filter((z) => typeof z !== 'string' || !exists(z));
    if (unknown.length > 0) {
      throw new CommandError(
        'unknown_zone',
        `${command}: no enabled zone named ${unknown.map((z) => JSON.stringify(z)).join(', ')}`,
        'invalid',
      );
    }
  }

  private finish(
    result: HandlerResult,
    info: {
      command: string | null;
      id: string | null;
      zone: string | null;
      started: number;
      origin: string;
      parameters?: Record<string, unknown>;
    },
  ): CommandOutcome {
    const outcome: CommandOutcome = {
      timestamp: new Date().toISOString(),
      type: 'command',
      command: info.command,
      id: info.id,
      zone: info.zone,
      outcome: result.outcome,
      message: result.message,
      error_type: result.error_type ?? null,
      result: result.result ?? null,
      duration_ms: Math.round((performance.now() - info.started) * 100) / 100,
      parameters: info.parameters ?? {},
      error_message: result.outcome === 'failed' || result.outcome === 'invalid' ? result.message : null,
      warning_type: result.outcome === 'warning' ? (result.warning_type ?? result.error_type ?? 'warning') : null,
    };
    this.counts.by_outcome[outcome.outcome]++;
    const level = outcome.outcome === 'success' || outcome.outcome === 'warning' ? 'info' : 'warn';
    this.opts.log[level]('command', {
      zone: info.zone ?? undefined,
      source: info.origin,
      id: info.id,
      command: info.command,
      outcome: outcome.outcome,
      error_type: outcome.error_type,
      duration_ms: outcome.duration_ms,
      ...(outcome.outcome === 'success' ? {} : { detail: outcome.message }),
    });
    return outcome;
  }
}

function safePeek(payload: Buffer | string): { command: string | null; id: string | null } {
  try {
    const obj = parseJsonObject(payload);
    return { command: peekCommand(obj), id: peekId(obj) };
  } catch {
    return { command: null, id: null };
  }
}

function toResult(err: unknown, log?: Logger): HandlerResult {
  if (err instanceof CommandError) return { outcome: err.outcome, error_type: err.errorType, message: err.message };
  log?.error('command handler threw', { err });
  return {
    outcome: 'failed',
    error_type: 'internal',
    message: `internal error: ${errorMessage(err)}`,
  };
}
