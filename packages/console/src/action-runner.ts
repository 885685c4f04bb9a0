import { randomUUID } from 'node:crypto';
import { planAction, type Action } from './actions.js';
import type { AuditLog } from './audit-log.js';
import type { CommandSender } from './command-sender.js';
import type { FleetModel } from './fleet-model.js';

export interface CommandRecord {
  id: string;
  target: string;
  command: string;
  /** Reset phases as they arrive. */
  phases: string[];
  outcome: { outcome: string; message: string; error_type: string | null } | null;
}

/** An action as the page shows it: pushed again on every phase and outcome. */
export interface ActionRecord {
  action_id: string;
  action: string;
  operator: string;
  started_at: string;
  commands: CommandRecord[];
  done: boolean;
}

const KEEP = 50;

/** Turns a page action into MQTT commands, follows each to its outcome, audits and reports every step. */
export class ActionRunner {
  private readonly recent: ActionRecord[] = [];
  private readonly listeners = new Set<(record: ActionRecord) => void>();

  constructor(
    private readonly model: FleetModel,
    private readonly sender: CommandSender,
    private readonly audit: AuditLog,
  ) {}

  onUpdate(listener: (record: ActionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): ActionRecord[] {
    return [...this.recent];
  }

  /** Throws ActionError when the action names something unknown; otherwise runs it in the background. */
  run(action: Action, who: { operator: string; address: string }): ActionRecord {
    const plan = planAction(action, this.model.snapshot());
    const record: ActionRecord = {
      action_id: randomUUID(),
      action: action.action,
      operator: who.operator,
      started_at: new Date().toISOString(),
      commands: [],
      done: false,
    };
    const audit = (event: string, extra: { target?: string; command_id?: string; detail?: string } = {}) =>
      this.audit.write({ ...who, action: action.action, action_id: record.action_id, event, ...extra });
    audit('requested', { detail: JSON.stringify(action) });
    const settled = plan.map((cmd) => {
      const entry: CommandRecord = {
        id: '',
        target: cmd.label,
        command: String(cmd.payload.command),
        phases: [],
        outcome: null,
      };
      const sent = this.sender.send({
        topic: cmd.topic,
        payload: cmd.payload,
        timeoutMs: cmd.timeoutMs,
        onProgress: (status) => {
          entry.phases.push(status.phase);
          this.publish(record);
        },
      });
      entry.id = sent.id;
      record.commands.push(entry);
      audit('sent', { target: cmd.topic, command_id: sent.id, detail: entry.command });
      return sent.outcome.then((o) => {
        entry.outcome = { outcome: o.outcome, message: o.message, error_type: o.error_type };
        audit(o.outcome, { target: cmd.topic, command_id: sent.id, detail: o.message });
        this.publish(record);
      });
    });
    this.recent.push(record);
    if (this.recent.length > KEEP) this.recent.shift();
    void Promise.all(settled).then(() => {
      record.done = true;
      this.publish(record);
    });
    this.publish(record);
    return record;
  }

  private publish(record: ActionRecord): void {
    for (const l of this.listeners) l(record);
  }
}
