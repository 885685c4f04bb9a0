export * from './wait.js';
export * from './tmp.js';
export * from './ports.js';
export * from './processes.js';
export * from './mosquitto.js';
export * from './mqtt-probe.js';
export * from './supervisor-process.js';
export * from './pulse.js';
