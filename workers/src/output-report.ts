import type { OutputProblem, OutputStatus } from '@mpvisor/protocol';
import type { Reporter } from './reporter.js';

/**
 * A zone's output truth as the output guard last judged it, told to the zone (its state) only when it
 * changed, with a warning and an event for each new problem and an event when all clear.
 */
export class OutputReport {
  private last: OutputStatus | null = null;

  constructor(
    private readonly sink: string,
    private readonly reporter: Reporter,
    private readonly setOutput: (status: OutputStatus) => void,
  ) {}

  get status(): OutputStatus | null {
    return this.last;
  }

  publish(status: OutputStatus): void {
    const before = this.last;
    this.last = status;
    const { reporter, sink } = this;
    const fresh = status.problems.filter((p) => !before?.problems.includes(p));
    for (const problem of fresh) {
      const reason = problem === status.problems[0] ? status.reason : problemSentence(problem, sink);
      reporter.send({ type: 'warning', message: `audio output: ${reason ?? problem}` });
      reporter.send({ type: 'event', event: { type: 'output', state: problem, detail: { sink, reason } } });
    }
    if (before && before.problems.length > 0 && status.problems.length === 0) {
      reporter.info(`audio output ${sink} back to normal`);
      reporter.send({
        type: 'event',
        event: { type: 'output', state: 'ok', detail: { sink, cleared: before.problems } },
      });
    }
    if (!before || !sameStatus(before, status)) this.setOutput(status);
  }
}

const problemSentence = (p: OutputProblem, sink: string) => `${p.replace(/_/g, ' ')} (${sink})`;

function sameStatus(a: OutputStatus, b: OutputStatus): boolean {
  const { checked_at: _a, ...x } = a;
  const { checked_at: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}
