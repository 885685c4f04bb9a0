import type { ConnectFlags } from './transport.js';
import type { Argv } from 'yargs';
import { registerFleetSend } from './fleet-send.js';
import { registerFleetStatus } from './fleet-status.js';

/** `mpvisor fleet status|send`: every supervisor on one broker (or a bridged broker network). */
export const registerFleet = <T extends ConnectFlags>(
  y: Argv<T>,
  guard: (fn: () => Promise<number>) => Promise<void>,
) =>
  y.command(
    'fleet',
    'Every node on the broker: status table, or one command to all',
    (a) =>
      registerFleetSend(registerFleetStatus(a, guard), guard)
        .option('filter', { type: 'string', array: true, describe: 'MQTT topic filters to watch (default #)' })
        .example('mpvisor fleet status --mqtt mqtt://venue-broker:1883', 'every node and zone')
        .example(
          `mpvisor fleet send --mqtt mqtt://venue-broker:1883 '{"command":"health_check"}'`,
          'one command, one outcome per node',
        )
        .demandCommand(1, 'fleet status or fleet send'),
    () => undefined,
  );
