// The one winston transport we use: renders a record to a line and writes it to a stream, counting
// lines so flush() can wait until everything logged so far reached the stream. winston's own Stream
// transport calls back before the write completes, so it cannot tell when output is really out.
import winston from 'winston';
// Type only: the class itself is taken from winston below, so winston-transport (winston's own
// dependency, whatever version winston pins) needs no entry in our package.json.
import type WinstonTransport from 'winston-transport';
import type { LogRecord } from './render.js';

// winston's typings name the base class `winston.transport`, but at runtime it is only exported as
// `winston.Transport`: using the typed name crashes with "Class extends value undefined".
// Cast: winston's typings do not declare the Transport class it exports at runtime.
const TransportStream = (winston as unknown as { Transport: typeof WinstonTransport }).Transport;

/** The info object we hand to winston: the record rides along untouched (no winston formats run). */
export interface RecordInfo {
  level: string;
  message: string;
  record: LogRecord;
}

// Broken-ness belongs to the stream, not to one logger: several loggers may share process.stdout and
// one 'error' listener per stream is enough.
const brokenStreams = new WeakMap<NodeJS.WritableStream, { broken: boolean }>();

function streamState(out: NodeJS.WritableStream): { broken: boolean } {
  let state = brokenStreams.get(out);
  if (!state) {
    const fresh = { broken: false };
    state = fresh;
    brokenStreams.set(out, fresh);
    // Without a listener an EPIPE on stdout (e.g. `mpvisor | head`) would crash the process from
    // inside a log call. Once broken, lines are dropped: there is nowhere left to report them.
    out.on('error', () => {
      fresh.broken = true;
    });
  }
  return state;
}

export class LineTransport extends TransportStream {
  private accepted = 0;
  private written = 0;
  private waiters: Array<{ target: number; done: () => void }> = [];
  private readonly state: { broken: boolean };

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly render: (rec: LogRecord) => string,
  ) {
    super();
    this.state = streamState(out);
  }

  /** Announces a record about to enter winston, so flush() knows to wait for it. */
  expect(): void {
    this.accepted++;
  }

  /** Takes back an announcement when winston refused the record. */
  cancel(): void {
    this.accepted--;
    this.release();
  }

  override log(info: RecordInfo, next: () => void): void {
    let line: string;
    try {
      line = this.render(info.record);
    } catch (err) {
      // Renderers are written not to throw; this is the last resort so a line is never lost silently.
      line = `log line could not be rendered (${String(err)}): ${JSON.stringify(String(info.message))}\n`;
    }
    if (this.state.broken) {
      this.markWritten();
    } else {
      try {
        // The callback fires once the chunk is handed to the OS (or fails): that is "written" for flush.
        this.out.write(line, () => this.markWritten());
      } catch {
        this.markWritten();
      }
    }
    next();
  }

  /** Resolves when every record announced so far was written (or dropped), or after timeoutMs. */
  flush(timeoutMs: number): Promise<void> {
    const target = this.accepted;
    if (this.written >= target) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push({ target, done: finish });
    });
  }

  private markWritten(): void {
    this.written++;
    this.release();
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.written >= w.target || this.state.broken) w.done();
      else still.push(w);
    }
    this.waiters = still;
  }
}
