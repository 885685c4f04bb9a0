import type { HandlerResult } from '@mpvisor/protocol';

export type Handler = (args: Record<string, unknown>) => Promise<HandlerResult>;
export type HandlerTable = [string, Handler][];

export const fadeOf = (a: Record<string, unknown>): number => (typeof a.fadeTime === 'number' ? a.fadeTime : 0);
