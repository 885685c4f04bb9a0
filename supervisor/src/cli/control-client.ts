import { IpcClient, isIpcError } from '@mpvisor/ipc';
import { parseControlReply, type ControlReply } from '@mpvisor/protocol';
import { EXIT } from './exit-codes.js';
import { errorMessage } from '@mpvisor/sys';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

type ControlOut =
  | { verb: 'status' }
  | { verb: 'command'; target: { kind: 'system' } | { kind: 'zone'; zone: string }; payload: string };

/** One request to the running supervisor; every failure to reach it becomes exit code 3 with a reason. */
export async function controlRequest(
  socketPath: string,
  msg: ControlOut,
  timeoutMs: number,
  onProgress?: (data: unknown) => void,
): Promise<ControlReply> {
  let client: IpcClient<ControlReply, ControlOut>;
  try {
    client = await IpcClient.connect<ControlReply, ControlOut>({
      socketPath,
      parse: parseControlReply,
      timeoutMs: 2000,
    });
  } catch (err) {
    if (isIpcError(err) && err.code === 'IPC_PERMISSION') {
      throw new CliError(
        `permission denied on ${socketPath}: run as the supervisor's user (or root)`,
        EXIT.unreachable,
      );
    }
    throw new CliError(`supervisor not reachable at ${socketPath} (is \`mpvisor run\` running?)`, EXIT.unreachable);
  }
  try {
    // With onProgress: progress replies (final: false) arrive before the final one; the timeout restarts on each.
    if (onProgress) return await client.stream<ControlReply>(msg, (m) => onProgress(m.data), { timeoutMs });
    return await client.request<ControlReply>(msg, { timeoutMs });
  } catch (err) {
    throw new CliError(`no answer from the supervisor: ${errorMessage(err)}`, EXIT.unreachable);
  } finally {
    client.close();
  }
}
