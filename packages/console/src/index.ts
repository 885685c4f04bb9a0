export { ConsoleApp } from './console-app.js';
export { parseConsoleConfig, readConsoleConfigFile, isLoopback, type ConsoleConfig, type ConsoleConfigInput } from './console-config.js';
export { hashPassword, verifyPassword } from './password-hash.js';
export { FleetClient } from './fleet-client.js';
export { FleetModel } from './fleet-model.js';
export { classify, type FleetMessage } from './classify.js';
export type { FleetSnapshot, NodeView, ZoneView, FleetEvent, FleetChange } from './views.js';
export type { OutcomeView } from './messages.js';
