import { PassThrough } from 'node:stream';
import { createLogger, type Logger, type LoggerOptions } from '../src/index.js';

/** A logger writing into memory; `lines()` flushes first so the text is complete. */
export function capture(opts: LoggerOptions = {}): { log: Logger; lines: () => Promise<string[]> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const log = createLogger({ mode: 'json', ...opts, stream });
  return {
    log,
    lines: async () => {
      await log.flush();
      return text.split('\n').filter((l) => l !== '');
    },
  };
}

export function parseJsonLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}
