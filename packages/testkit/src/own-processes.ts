// Processes a test starts itself, as a user or another program would: they are in no ledger, so the
// supervisor must leave them alone. The test kills them and removes their sockets when it is done.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { readIdentity, type ProcessIdentity } from '@mpvisor/sys';
import { waitFor } from './wait.js';

export interface OwnProcess {
  child: ChildProcess;
  id: ProcessIdentity;
}

export class OwnProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly files: string[] = [];

  /** Spawn `cmd` and wait until it has exec'd (its identity is then the program's, not node's fork). */
  async spawn(cmd: string, args: string[]): Promise<OwnProcess> {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    this.children.push(child);
    await waitFor(
      () => {
        try {
          return readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === cmd;
        } catch {
          return false;
        }
      },
      5000,
      `${cmd} to start`,
    );
    return { child, id: readIdentity(child.pid!)! };
  }

  /** An idle mpv listening on an IPC socket at `path`; killAll removes the socket file too. */
  async mpvWithSocket(path: string): Promise<OwnProcess> {
    this.files.push(path);
    const p = await this.spawn('mpv', [
      '--idle=yes',
      '--ao=null',
      '--vo=null',
      '--no-config',
      `--input-ipc-server=${path}`,
    ]);
    await waitFor(() => existsSync(path) && lstatSync(path).isSocket(), 10_000, `mpv socket ${path}`);
    return p;
  }

  killAll(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const f of this.files) rmSync(f, { force: true });
  }
}
