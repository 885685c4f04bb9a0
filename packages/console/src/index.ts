export { ConsoleApp } from './console-app.js';
export { parseConsoleConfig, readConsoleConfigFile, type ConsoleConfig } from './console-config.js';
export { hashPassword } from './password-hash.js';
export { FleetClient } from './fleet-client.js';
export type { FleetSnapshot } from './views.js';
