/** A response topic the supervisor will publish to, or why it will not. */
export type ReplyCheck = { ok: true } | { ok: false; reason: string };

/** Longer response topics or correlation data are refused: both are echoed and kept for de-duplication. */
export const MAX_REPLY_TOPIC_BYTES = 1024;
export const MAX_CORRELATION_BYTES = 1024;

/**
 * MQTT 5 Response Topics come from whoever may publish a command, and the reply goes out with the
 * supervisor's own credentials. So a reply goes only to a plain topic under the configured prefix,
 * never to a wildcard (the broker would drop the whole connection), a `$` topic, or a topic the
 * supervisor itself listens or speaks on.
 */
export class ReplyTopics {
  constructor(
    readonly prefix: string,
    private readonly ownTopics: () => Iterable<string>,
  ) {}

  check(topic: string, correlationData?: Buffer): ReplyCheck {
    if (topic === '') return refuse('it is empty');
    if (topic.includes('+') || topic.includes('#')) return refuse('it contains an MQTT wildcard (+ or #)');
    if (topic.startsWith('$')) return refuse('it starts with "$" (a broker topic)');
    if (topic.includes('\0')) return refuse('it contains a NUL character');
    if (Buffer.byteLength(topic) > MAX_REPLY_TOPIC_BYTES)
      return refuse(`it is longer than ${MAX_REPLY_TOPIC_BYTES} bytes`);
    if (new Set(this.ownTopics()).has(topic)) return refuse("it is one of the supervisor's own topics");
    if (!topic.startsWith(`${this.prefix}/`)) return refuse(`it is not under reply_prefix "${this.prefix}/"`);
    if (correlationData && correlationData.length > MAX_CORRELATION_BYTES)
      return refuse(`its correlation data is longer than ${MAX_CORRELATION_BYTES} bytes`);
    return { ok: true };
  }
}

const refuse = (reason: string): ReplyCheck => ({ ok: false, reason });
