import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into newline-delimited lines. Bounded: a line longer than maxLength is
 * dropped (reported through onDropped) instead of growing the buffer without limit, and parsing
 * resumes at the next newline.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8'); // keeps UTF-8 characters split across chunks intact
  readonly #maxLength: number;
  readonly #onDropped: (length: number) => void;
  #buffer = '';
  #discarding = false;

  constructor(maxLength: number, onDropped: (length: number) => void) {
    this.#maxLength = maxLength;
    this.#onDropped = onDropped;
  }

  /** Returns the lines completed by this chunk, without their newline. */
  push(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.#discarding) {
        this.#discarding = false; // this newline ends the over-long line
        continue;
      }
      const line = this.#buffer + piece;
      this.#buffer = '';
      if (line.length > this.#maxLength) this.#onDropped(line.length);
      else lines.push(line);
    }
    if (!this.#discarding) {
      this.#buffer += text.slice(start);
      if (this.#buffer.length > this.#maxLength) {
        const length = this.#buffer.length;
        this.#buffer = '';
        this.#discarding = true;
        this.#onDropped(length);
      }
    }
    return lines;
  }

  reset(): void {
    this.#buffer = '';
    this.#discarding = false;
  }
}
