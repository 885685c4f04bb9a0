import { execFile } from 'node:child_process';
import { failed, success, type HandlerResult } from '@mpvisor/protocol';
import type { SystemHandlerFamily } from './dispatcher.js';

const SYSTEMCTL_TIMEOUT_MS = 10_000;

/** What each host command asks of systemd (argument arrays, no shell). */
const VERBS = { reboot: 'reboot', shutdown: 'poweroff' } as const;

/**
 * ParadoxFX's `reboot` and `shutdown`, only with allow_host_commands = true (the dispatcher answers
 * `disabled` otherwise): `systemctl reboot|poweroff`, whose exit says whether systemd took the job.
 * systemd then stops mpvisor with SIGTERM like any unit, so the rooms stop in order. systemctl is
 * looked up on PATH; the supervisor's user needs the right to run it (polkit or sudoers).
 */
export function hostPowerHandlers(allowed: boolean, disabled: (name: string) => HandlerResult) {
  const power = (name: keyof typeof VERBS) => async () => (allowed ? systemctl(name, VERBS[name]) : disabled(name));
  return { reboot: power('reboot'), shutdown: power('shutdown') } satisfies SystemHandlerFamily;
}

function systemctl(name: string, verb: string): Promise<HandlerResult> {
  return new Promise((resolve) => {
    execFile('systemctl', [verb], { timeout: SYSTEMCTL_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (!err) resolve(success(`${name}: systemctl ${verb} accepted; mpvisor will be stopped by systemd`));
      else resolve(failed('internal', `${name}: systemctl ${verb} failed: ${String(stderr).trim() || err.message}`));
    });
  });
}
