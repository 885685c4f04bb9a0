import type { HandlerResult, WorkerCommandName, ZoneArgs } from '@mpvisor/protocol';

/** One command's handler: its arguments as the command's schema outputs them. */
export type Handler<K extends WorkerCommandName> = (args: ZoneArgs<K>) => Promise<HandlerResult>;

/** A handler for each of the commands K: a missing or misnamed one, or a wrong argument, fails to compile. */
export type Handlers<K extends WorkerCommandName> = { [P in K]: Handler<P> };

/** What a family of handlers satisfies: any worker commands, each with its own argument type. */
export type HandlerFamily = Partial<Handlers<WorkerCommandName>>;

export const fadeOf = (a: { fadeTime?: number | undefined }): number => a.fadeTime ?? 0;
