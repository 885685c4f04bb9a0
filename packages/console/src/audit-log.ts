import { appendFile } from 'node:fs/promises';

export interface AuditEntry {
  operator: string;
  address: string;
  action: string;
  action_id: string;
  /** What happened: `requested`, or the outcome of one command. */
  event: string;
  target?: string;
  command_id?: string;
  detail?: string;
}

/**
 * Every action of the page, with who sent it, as JSON lines: to the audit file when configured
 * (appended, never truncated), else to standard output. Write failures are reported once per burst
 * on stderr and never stop the console.
 */
export class AuditLog {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly file: string | null) {}

  write(entry: AuditEntry): void {
    const line = `${JSON.stringify({ timestamp: new Date().toISOString(), ...entry })}\n`;
    if (this.file === null) {
      process.stdout.write(line);
      return;
    }
    const file = this.file;
    this.chain = this.chain
      .then(() => appendFile(file, line, { mode: 0o600 }))
      .catch((err: Error) => {
        process.stderr.write(`mpvisor console: audit log ${file}: ${err.message}\n`);
      });
  }

  /** Resolves when every entry so far is written (or reported as failed). */
  flush(): Promise<void> {
    return this.chain;
  }
}
