export { IpcServer, type IpcServerOptions, type IpcServerEvents } from './server.js';
export { IpcClient, type IpcClientOptions, type IpcClientEvents } from './client.js';
export type { IpcPeer } from './peer.js';
export type { Parse, RequestOptions } from './conversation.js';
export { replyTo, isRequest, replyToOf, type RequestFields, type ReplyFields } from './envelope.js';
export { IpcError, isIpcError, MAX_SOCKET_PATH_BYTES, type IpcErrorCode } from './errors.js';
export { MAX_MESSAGE_BYTES } from './limits.js';
