import type { HandlerResult } from '@mpvisor/protocol';

/**
 * A command's media file, being looked up in the zone's media folder. A role takes it still pending and
 * awaits it in its turn, so a play and the stop sent right after it run in the order they came, however
 * long the filesystem takes to answer. The promise never rejects.
 */
export type Located = { ok: true; path: string } | { ok: false; result: HandlerResult };
