import { describe, expect, test } from '@jest/globals';
import { classify } from '../src/classify.js';
import { CommandSender } from '../src/command-sender.js';

const outcome = (id: string, result = 'success') =>
  classify(
    'v/a/lobby/events',
    Buffer.from(
      JSON.stringify({
        type: 'command',
        command: 'stopAll',
        id,
        zone: 'lobby',
        outcome: result,
        message: 'done',
        error_type: null,
        duration_ms: 2,
      }),
    ),
  )!;

describe('CommandSender', () => {
  test('publishes with a fresh id and settles with the outcome carrying it, on that topic only', async () => {
    const sent: Array<[string, string]> = [];
    const sender = new CommandSender(async (topic, payload) => void sent.push([topic, payload]));
    const { id, outcome: pending } = sender.send({
      topic: 'v/a/lobby',
      payload: { command: 'stopAll' },
      timeoutMs: 5000,
    });
    await Promise.resolve();
    expect(sent).toEqual([['v/a/lobby/commands', JSON.stringify({ command: 'stopAll', id })]]);
    sender.handle(outcome('someone-else'));
    sender.handle(
      classify(
        'v/b/lobby/events',
        Buffer.from(
          JSON.stringify({
            type: 'command',
            command: 'stopAll',
            id,
            zone: 'lobby',
            outcome: 'failed',
            message: 'other node',
            error_type: 'internal',
            duration_ms: 1,
          }),
        ),
      )!,
    );
    expect(sender.inFlight).toBe(1);
    sender.handle(outcome(id));
    sender.handle(outcome(id, 'failed'));
    expect((await pending).outcome).toBe('success');
    expect(sender.inFlight).toBe(0);
  });

  test('reset phases with the id go to onProgress before the outcome', async () => {
    const sender = new CommandSender(async () => undefined);
    const phases: string[] = [];
    const { id, outcome: pending } = sender.send({
      topic: 'v/a/system',
      payload: { command: 'reset' },
      timeoutMs: 5000,
      onProgress: (s) => phases.push(s.phase),
    });
    for (const phase of ['starting', 'cleanup', 'complete'])
      sender.handle(
        classify('v/a/system/events', Buffer.from(JSON.stringify({ type: 'system_reset_status', id, phase })))!,
      );
    sender.handle(
      classify(
        'v/a/system/events',
        Buffer.from(
          JSON.stringify({
            type: 'command',
            command: 'reset',
            id,
            zone: null,
            outcome: 'success',
            message: 'ok',
            error_type: null,
            duration_ms: 9,
          }),
        ),
      )!,
    );
    expect((await pending).outcome).toBe('success');
    expect(phases).toEqual(['starting', 'cleanup', 'complete']);
  });

  test('no outcome in time, or a failed publish, is one local failed outcome', async () => {
    const sender = new CommandSender(async () => undefined);
    const late = await sender.send({ topic: 'v/a/lobby', payload: { command: 'stopAll' }, timeoutMs: 20 }).outcome;
    expect(late).toMatchObject({ outcome: 'failed', error_type: 'timeout', command: 'stopAll' });
    const broken = new CommandSender(async () => {
      throw new Error('not connected to the broker');
    });
    const lost = await broken.send({ topic: 'v/a/lobby', payload: { command: 'stopAll' }, timeoutMs: 5000 }).outcome;
    expect(lost).toMatchObject({ outcome: 'failed', error_type: 'unreachable' });
    expect(lost.message).toContain('not connected');
  });
});
