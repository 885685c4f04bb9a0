import { z } from 'zod';

/** CLI -> supervisor over the control socket. `command` carries a raw MQTT-style payload. */
export const controlRequestSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('status'), req_id: z.number().int() }),
  z.object({
    verb: z.literal('command'),
    req_id: z.number().int(),
    target: z.union([
      z.object({ kind: z.literal('system') }),
      z.object({ kind: z.literal('zone'), zone: z.string().max(64) }),
    ]),
    payload: z.string().max(64 * 1024),
  }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;

export function parseControlRequest(raw: unknown): ControlRequest | Error {
  const r = controlRequestSchema.safeParse(raw);
  return r.success ? r.data : new Error(`invalid control request: ${r.error.issues[0]?.message ?? 'unknown'}`);
}

/** Supervisor -> CLI. Progress messages (final: false) may precede the final reply of a request. */
export const controlReplySchema = z.object({
  reply_to: z.number().int(),
  final: z.boolean(),
  ok: z.boolean(),
  data: z.unknown(),
});
export type ControlReply = z.infer<typeof controlReplySchema>;

export function parseControlReply(raw: unknown): ControlReply | Error {
  const r = controlReplySchema.safeParse(raw);
  return r.success ? r.data : new Error(`invalid control reply: ${r.error.issues[0]?.message ?? 'unknown'}`);
}
