// Chooses the output format from where stdout really goes. JOURNAL_STREAM alone is not enough: it is
// inherited by children whose stdout was redirected elsewhere, so it must match stdout's device:inode.
import fs from 'node:fs';

export type LogMode = 'auto' | 'journal' | 'pretty' | 'json';
export type ResolvedLogMode = Exclude<LogMode, 'auto'>;

export interface OutputLike {
  fd?: number;
  isTTY?: boolean;
}

/** True when JOURNAL_STREAM ("DEV:INODE", decimal) names the file behind `fd`. */
export function isJournalStream(journalStream: string | undefined, fd: number): boolean {
  const match = /^(\d+):(\d+)$/.exec(journalStream?.trim() ?? '');
  if (!match) return false;
  try {
    // bigint: inode numbers may exceed 2^53 on some filesystems.
    const st = fs.fstatSync(fd, { bigint: true });
    // Cast: Both groups of the pattern are mandatory: a match has them.
    return st.dev === BigInt(match[1] as string) && st.ino === BigInt(match[2] as string);
  } catch {
    return false; // fd closed or not ours: not the journal
  }
}

export function detectLogMode(
  env: NodeJS.ProcessEnv = process.env,
  stdout: OutputLike = process.stdout,
): ResolvedLogMode {
  const fd = typeof stdout.fd === 'number' ? stdout.fd : undefined;
  if (fd !== undefined && isJournalStream(env.JOURNAL_STREAM, fd)) return 'journal';
  if (stdout.isTTY) return 'pretty';
  return 'json';
}
