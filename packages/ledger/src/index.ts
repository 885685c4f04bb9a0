export * from './ledger.js';
export * from './sockets.js';
export * from './cleanup.js';
export * from './ledger-file.js';
