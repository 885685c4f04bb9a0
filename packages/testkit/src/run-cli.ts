import { spawn } from 'node:child_process';
import { cliPath } from './supervisor-process.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines as they arrived, for a verb that streams (`mpvisor reset` prints each phase). */
  lines: Array<{ at: number; line: string }>;
}

/**
 * Run the compiled `mpvisor` CLI to its end; past the timeout it is SIGKILLed and the promise rejects.
 * Asynchronous, unlike execFileSync: the test's MQTT probe keeps receiving while the CLI runs.
 */
export function runCli(args: string[], timeoutMs = 20_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const lines: CliRun['lines'] = [];
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const l of d.toString().split('\n').filter(Boolean)) lines.push({ at: Date.now(), line: l });
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mpvisor ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr, lines });
    });
  });
}
