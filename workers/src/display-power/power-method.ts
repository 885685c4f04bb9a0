import type { RunTool, ToolResult } from './run-tool.js';
import { firstLine } from './run-tool.js';

/** What a display server says about the power of a zone's screen. */
export type PowerReading = { ok: true; on: boolean } | { ok: false; error: string };

/** One way of switching a screen, with the means to read back what the server then reports. */
export interface PowerMethod {
  /** Short name for outcomes and the log: `dpms`, `randr`, `wlopm`, `wlr-randr`. */
  readonly name: string;
  /** What it drives, for messages: `DPMS through xset on :0`. */
  readonly label: string;
  read(run: RunTool): Promise<PowerReading>;
  /** Asks the server to switch; null when the tool accepted it, else why not. Callers read the result back. */
  set(on: boolean, run: RunTool): Promise<string | null>;
}

/** A tool's answer as an error text, or null when it exited 0 (and, when strict, printed nothing on stderr). */
export function toolError(r: ToolResult, cmd: string, strict = false): string | null {
  if (!r.ok) return r.error;
  if (r.code !== 0) return `${cmd} exited ${r.code}: ${firstLine(r.stderr) || firstLine(r.stdout) || 'no output'}`;
  if (strict && r.stderr.trim() !== '') return `${cmd}: ${firstLine(r.stderr)}`;
  return null;
}

/** The stdout of a tool that worked, or its error. */
export function toolOutput(r: ToolResult, cmd: string): { ok: true; stdout: string } | { ok: false; error: string } {
  const error = toolError(r, cmd);
  return error === null && r.ok ? { ok: true, stdout: r.stdout } : { ok: false, error: error ?? `${cmd} failed` };
}
