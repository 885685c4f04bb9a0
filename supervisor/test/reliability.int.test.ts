import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '@mpvisor/testkit';

// The short versions of the reliability suites (scripts/chaos.mjs, scripts/fuzz.mjs) as child
// processes over the built dist/ (`npm test` builds first). Each fails on any violation: exit code
// non-zero and violations listed in its JSON report. The long runs and their figures are in
// docs/benchmarks.md.

interface RunResult {
  code: number | null;
  stdout: string;
  report: any;
}

function runScript(script: string, args: string[], timeoutMs: number): Promise<RunResult> {
  const dir = tempDir('mpvrel');
  const reportFile = join(dir.path, 'report.json');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'scripts', script), ...args, '--report', reportFile],
      { cwd: repoRoot, timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        let report: any = null;
        try {
          report = JSON.parse(readFileSync(reportFile, 'utf8'));
        } catch {
          report = null;
        }
        dir.remove();
        const code = err ? ((err as { code?: number }).code ?? null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout: `${stdout}\n${stderr}`, report });
      },
    );
  });
}

const tail = (s: string) => s.split('\n').slice(-40).join('\n');

describe('reliability (short versions of the chaos soak and the fuzzer)', () => {
  // 30 faults in 30 s: the same faults as a minute at the default rate, closer together (CI's time).
  it('chaos soak: 30 s, 3 zones, ~30 faults: zero violations', async () => {
    const r = await runScript(
      'chaos.mjs',
      ['--minutes', '0.5', '--faults-per-minute', '60', '--zones', '3', '--quiet'],
      170_000,
    );
    if (r.code !== 0) console.log(tail(r.stdout));
    expect(r.report).not.toBeNull();
    expect(r.report.violations).toEqual([]);
    expect(r.report.faults_total).toBeGreaterThanOrEqual(25);
    expect(r.report.commands.unanswered_at_end).toBe(0);
    expect(r.code).toBe(0);
  }, 180_000);

  it('fuzz: 5,000 inputs to MQTT, the worker socket and the control socket: no crash, every outcome', async () => {
    const r = await runScript('fuzz.mjs', ['--inputs', '5000'], 110_000);
    if (r.code !== 0) console.log(tail(r.stdout));
    expect(r.report).not.toBeNull();
    expect(r.report.violations).toEqual([]);
    expect(r.report.crashes).toBe(0);
    expect(r.report.worker_socket.hellos_not_refused).toBe(0);
    expect(r.code).toBe(0);
  }, 120_000);
});
