// Request/response correlation fields. They live in the message body (not in node-ipc's envelope) so
// the injected parse() sees, and can validate, exactly what travels.

export interface RequestFields {
  req_id: number;
}

export interface ReplyFields {
  reply_to: number;
  /** Set on the last message of a streamed answer. */
  final?: boolean;
}

/** Builds an answer to `req`. For streams, send several and mark the last with `final: true`. */
export function replyTo<B extends object>(req: RequestFields, body: B): B & ReplyFields {
  return { ...body, reply_to: req.req_id };
}

export function isRequest(msg: unknown): msg is RequestFields {
  return typeof msg === 'object' && msg !== null && 'req_id' in msg && Number.isSafeInteger(msg.req_id);
}

/** The reply_to of a message, or undefined when it is not a reply. */
export function replyToOf(msg: unknown): number | undefined {
  if (typeof msg !== 'object' || msg === null || !('reply_to' in msg)) return undefined;
  const id = msg.reply_to;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
}
