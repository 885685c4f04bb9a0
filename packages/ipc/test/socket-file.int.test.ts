// What listen() does to the filesystem: folder and file modes, stale sockets, things it must not touch.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpcClient } from '../src/index.js';
import { parseMsg, Resources, type Msg } from './helpers.js';

let res: Resources;
beforeEach(() => {
  res = new Resources();
});
afterEach(async () => {
  await res.cleanup();
});

/** Leaves a dead socket file behind the way a crash does: a child listens, then gets SIGKILL. */
async function deadSocket(socketPath: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('ready'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout, 'data');
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

describe('listen()', () => {
  it('creates a missing parent folder 0700 and the socket 0600', async () => {
    const socketPath = path.join(res.dir, 'run', 'mpvisor', 'zone1.sock');
    const server = res.server(socketPath);
    await server.listen();
    expect(fs.statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
    const st = fs.lstatSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    await server.close();
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('leaves an existing folder mode alone', async () => {
    fs.chmodSync(res.dir, 0o755);
    await res.echoServer();
    expect(fs.statSync(res.dir).mode & 0o777).toBe(0o755);
  });

  it('replaces a dead socket file left by a killed process', async () => {
    const socketPath = res.socketPath();
    await deadSocket(socketPath);
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
    const refused = await IpcClient.connect({ socketPath, parse: parseMsg }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'IPC_UNREACHABLE', cause: { code: 'ECONNREFUSED' } });

    await res.echoServer(socketPath);
    const client = await res.client(socketPath);
    await expect(client.request<Msg>({ type: 'echo', value: 'alive' })).resolves.toMatchObject({ value: 'alive' });
  });

  it('refuses a regular file at the path and leaves it in place', async () => {
    const socketPath = res.socketPath();
    fs.writeFileSync(socketPath, 'precious');
    await expect(res.server(socketPath).listen()).rejects.toMatchObject({ code: 'IPC_PATH_NOT_SOCKET' });
    expect(fs.readFileSync(socketPath, 'utf8')).toBe('precious');
  });

  it('refuses IPC_SOCKET_IN_USE while a live server answers, and the first server keeps working', async () => {
    const socketPath = res.socketPath();
    const first = await res.echoServer(socketPath);
    const inode = fs.lstatSync(socketPath).ino;
    const second = res.server(socketPath);
    await expect(second.listen()).rejects.toMatchObject({ code: 'IPC_SOCKET_IN_USE' });
    expect(fs.lstatSync(socketPath).ino).toBe(inode);
    expect(first.listening).toBe(true);
    const client = await res.client(socketPath);
    await expect(client.request<Msg>({ type: 'echo', value: 1 })).resolves.toMatchObject({ value: 1 });
  });

  it('delivers a message sent just before close()', async () => {
    const server = await res.echoServer();
    const connected = once(server, 'connection');
    const client = await res.client();
    await connected;
    const got = once(client, 'message');
    server.broadcast({ type: 'bye' });
    await server.close();
    expect(await got).toEqual([{ type: 'bye' }]);
  });
});

// Root ignores file permissions, so permission errors are provoked from a child running as nobody.
const distEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const canDropPrivileges = process.getuid?.() === 0 && fs.existsSync(distEntry);

/**
 * A Node binary that nobody may run: this one, or a copy of it when it sits under a folder closed to
 * others (scripts/node-runtime.sh keeps Node 22 and 24 in root's ~/.cache, which is 0700).
 */
function nodeForNobody(): { bin: string; remove: () => void } {
  const reachable = (dir: string): boolean =>
    (fs.statSync(dir).mode & 0o001) !== 0 && (dir === path.dirname(dir) || reachable(path.dirname(dir)));
  if (reachable(path.dirname(process.execPath))) return { bin: process.execPath, remove: () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mpvisor-node-'));
  fs.chmodSync(dir, 0o755);
  const bin = path.join(dir, 'node');
  fs.copyFileSync(process.execPath, bin);
  fs.chmodSync(bin, 0o755);
  return { bin, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('connect() permission errors', () => {
  (canDropPrivileges ? it : it.skip)('rejects IPC_PERMISSION when the socket folder is closed to us', async () => {
    await res.echoServer(); // res.dir is 0700 root-owned: nobody may not traverse it
    const node = nodeForNobody();
    const script = `
      import { IpcClient } from ${JSON.stringify(distEntry)};
      IpcClient.connect({ socketPath: ${JSON.stringify(res.socketPath())}, parse: (m) => m })
        .then(() => console.log('connected'), (e) => console.log(e.code));`;
    const child = spawn(node.bin, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await once(child, 'exit').finally(node.remove);
    expect(out.trim()).toBe('IPC_PERMISSION');
  });
});
