export * from './atomic-write.js';
export * from './request-table.js';
export * from './backoff.js';
export * from './settles-within.js';
export * from './proc.js';
export * from './errors.js';
