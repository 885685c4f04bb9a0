export { MpvClient, type MpvClientOptions, type MpvClientStats } from './client.js';
export { spawnMpv, type MpvExit, type MpvProcess, type SpawnMpvOptions } from './spawn.js';
export { LineSplitter } from './framing.js';
export { mpvEnvironment } from './environment.js';
export { buildMpvArgs, MPV_IPC_FD, type MpvArgsOptions, type MpvAudioOutput } from './args.js';
export {
  MpvAbortError,
  MpvClosedError,
  MpvCommandError,
  MpvError,
  MpvStartError,
  MpvTimeoutError,
  type MpvStartErrorDetails,
} from './errors.js';
export type * from './types.js';
