// Typed errors so callers (the zone worker) can tell "mpv said no" from "mpv is gone" from
// "mpv is hung" without parsing messages: each calls for a different recovery.

/** Base class of every error this package throws. */
export class MpvError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** mpv answered the request with an error string other than "success". */
export class MpvCommandError extends MpvError {
  /** mpv's own error string, e.g. "property not found", "invalid parameter". */
  readonly mpvError: string;
  readonly command: unknown;
  constructor(command: unknown, mpvError: string) {
    super(`mpv command ${describeCommand(command)} failed: ${mpvError}`);
    this.command = command;
    this.mpvError = mpvError;
  }
}

/** No reply within the timeout: mpv may be hung (e.g. stopped) or overloaded. */
export class MpvTimeoutError extends MpvError {
  readonly command: unknown;
  readonly timeoutMs: number;
  constructor(command: unknown, timeoutMs: number) {
    super(`mpv command ${describeCommand(command)} timed out after ${timeoutMs} ms`);
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

/** The IPC connection is closed (mpv exited or the client was closed). */
export class MpvClosedError extends MpvError {
  readonly command: unknown;
  constructor(command: unknown, cause?: unknown) {
    super(
      command === undefined
        ? 'mpv IPC connection closed'
        : `mpv IPC connection closed before ${describeCommand(command)} was answered`,
      cause === undefined ? undefined : { cause },
    );
    this.command = command;
  }
}

/** The caller's AbortSignal fired before mpv answered; `cause` is the signal's reason. */
export class MpvAbortError extends MpvError {
  readonly command: unknown;
  constructor(command: unknown, reason: unknown) {
    super(`mpv command ${describeCommand(command)} aborted`, { cause: reason });
    this.command = command;
  }
}

export interface MpvStartErrorDetails {
  mpvPath: string;
  role: string;
  /** Exit code if mpv exited during startup, else null. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines mpv printed (stdout and stderr) before it failed. */
  outputTail: string;
  cause?: unknown;
}

/** mpv could not be started or did not answer its first IPC request in time. */
export class MpvStartError extends MpvError {
  readonly mpvPath: string;
  readonly role: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly outputTail: string;
  constructor(message: string, details: MpvStartErrorDetails) {
    const tail = details.outputTail.trim();
    super(
      `mpv (${details.role}, ${details.mpvPath}): ${message}` + (tail ? `\n--- mpv output ---\n${tail}` : ''),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.mpvPath = details.mpvPath;
    this.role = details.role;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.outputTail = details.outputTail;
  }

  /** Alias kept for readers who think of it as "the stderr tail" (mpv logs to stdout too). */
  get stderrTail(): string {
    return this.outputTail;
  }
}

function describeCommand(command: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(command) ?? String(command);
  } catch {
    text = String(command);
  }
  // Commands can carry long URLs or option maps; keep messages readable in logs.
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
