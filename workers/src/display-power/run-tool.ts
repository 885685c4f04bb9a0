import { execFile } from 'node:child_process';

/** What a display tool printed, or why it could not run or finish. */
export type ToolResult = { ok: true; code: number; stdout: string; stderr: string } | { ok: false; error: string };

/** Runs one display tool; every call has a deadline. Tests pass a fake with the same shape. */
export type RunTool = (cmd: string, args: string[], env?: Record<string, string>) => Promise<ToolResult>;

/** The first line of what a tool said, for a message a person reads. */
export const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/** A runner whose calls share one deadline, so a chain of tools never outlasts the command's own timeout. */
export function toolsUntil(deadline: number, perCallMs: number): RunTool {
  return (cmd, args, env) => {
    const timeout = Math.min(perCallMs, deadline - Date.now());
    if (timeout <= 0) return Promise.resolve({ ok: false, error: `no time left to run ${cmd}` });
    return new Promise((resolve) => {
      execFile(cmd, args, { timeout, env: { ...process.env, ...env }, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, code: 0, stdout, stderr });
        if (err.code === 'ENOENT') return resolve({ ok: false, error: `${cmd} is not installed` });
        if (err.killed) return resolve({ ok: false, error: `${cmd} did not finish within ${timeout} ms` });
        if (typeof err.code === 'number') return resolve({ ok: true, code: err.code, stdout, stderr });
        resolve({ ok: false, error: `${cmd}: ${err.message}` });
      });
    });
  };
}
