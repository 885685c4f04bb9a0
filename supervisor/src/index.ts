export { Supervisor, type SupervisorOptions } from './app.js';
export {
  decideRestart,
  restartDelay,
  freshRecord,
  type RestartRecord,
  type RestartDecision,
} from './zones/restart-policy.js';
