export * from './parse.js';
export * from './pactl.js';
export * from './installation-id.js';
export * from './server-socket.js';
export * from './events.js';
export * from './coalesced-task.js';
export * from './client-properties.js';
