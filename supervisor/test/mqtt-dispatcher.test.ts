import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@mpvisor/log';
import { CommandError, CommandTable, SYSTEM_COMMANDS, ZONE_COMMANDS, type HandlerResult } from '@mpvisor/protocol';
import { Dispatcher, type CommandHandler, type SystemHandlerFamily } from '../src/commands/dispatcher.js';

const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quiet;
  },
} as unknown as Logger;

function make(
  systemHandlers: SystemHandlerFamily,
  zoneHandler?: () => CommandHandler | HandlerResult,
  timeoutMs = 100,
) {
  return new Dispatcher({
    zoneTable: new CommandTable(ZONE_COMMANDS),
    systemTable: new CommandTable(SYSTEM_COMMANDS),
    zoneHandler: zoneHandler ?? (() => async () => ({ outcome: 'success', message: 'ok' })),
    systemHandlers,
    log: quiet,
    timeoutMs,
    allowedWhileStopping: new Set(['status']),
    zoneExists: (z) => z === 'lobby',
  });
}

const SYS = { kind: 'system' } as const;
const send = (d: Dispatcher, body: object, source: Parameters<Dispatcher['dispatch']>[0] = SYS) =>
  d.dispatch(source, JSON.stringify(body), 'test');

describe('Dispatcher: exactly one outcome per command', () => {
  it('a handler that throws becomes failed/internal with the id echoed; a CommandError keeps its type', async () => {
    const d = make({
      status: async () => {
        throw new Error('boom');
      },
      metrics: () => {
        throw new CommandError('busy', 'busy now');
      },
    });
    expect(await send(d, { command: 'status', id: 't1' })).toMatchObject({
      outcome: 'failed',
      error_type: 'internal',
      id: 't1',
      command: 'status',
    });
    expect(await send(d, { command: 'metrics', id: 't2' })).toMatchObject({
      outcome: 'failed',
      error_type: 'busy',
      id: 't2',
    });
  });

  it('a handler that never settles times out once, and its signal is aborted', async () => {
    let signal: AbortSignal | null = null;
    const d = make(
      {
        status: (_a, _s, ctx) => {
          signal = ctx.signal;
          return new Promise(() => {});
        },
      },
      undefined,
      50,
    );
    const o = await send(d, { command: 'status', id: 'slow' });
    expect(o).toMatchObject({ outcome: 'failed', error_type: 'timeout', id: 'slow' });
    expect(signal!.aborted).toBe(true);
  });

  it.each([
    'reset',
    'system_reset',
    'reset_audio',
    'reset_sockets',
    'cleanup_orphans',
    'restart',
    'reload_config',
    'pause',
    'resume',
    'diagnostics',
  ])('%s without a handler is failed/not_implemented, never success', async (command) => {
    expect(await send(make({}), { command, id: command })).toMatchObject({
      outcome: 'failed',
      error_type: 'not_implemented',
      command,
      id: command,
    });
  });

  it('a repeated id runs once and is answered twice with the same outcome, per topic', async () => {
    let runs = 0;
    const d = make({ status: async () => ({ outcome: 'success', message: `run ${++runs}` }) });
    const [a, b] = await Promise.all([
      send(d, { command: 'status', id: 'same' }),
      send(d, { command: 'status', id: 'same' }),
    ]);
    expect(runs).toBe(1);
    expect(b.message).toBe(a.message);
    // The same id on another topic is another command.
    await send(d, { command: 'getState', id: 'same' }, { kind: 'zone', zone: 'lobby' });
    expect(d.stats()).toMatchObject({ received: 3, duplicates: 1, by_outcome: { success: 2 } }); // by_outcome counts executions
  });

  it('system zone lists name enabled zones only', async () => {
    const o = await send(make({}), { command: 'reset', zones: ['lobby', 'ghost'] });
    expect(o).toMatchObject({ outcome: 'invalid', error_type: 'unknown_zone' });
    expect(o.message).toContain('"ghost"');
  });

  it('while stopping only allowed commands run', async () => {
    const d = make({ status: async () => ({ outcome: 'success', message: 'ok' }) });
    d.refuseNewCommands();
    expect((await send(d, { command: 'status' })).outcome).toBe('success');
    expect(await send(d, { command: 'help' })).toMatchObject({ outcome: 'failed', error_type: 'shutting_down' });
  });
});
