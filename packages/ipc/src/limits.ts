// Kept apart from endpoint.ts so the public declarations never reference node-ipc, which has no types
// of its own: consumers of @mpvisor/ipc must not need our private node-ipc.d.ts.

/** Upper bound for one JSON message, enforced by node-ipc's guarded parser on both ends. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
