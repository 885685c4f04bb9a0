// Serialisation that cannot throw on what people put in log fields: cycles, BigInt, Errors (whose
// message and stack JSON.stringify would drop), and objects whose toJSON or getters throw.

export interface ErrorFields {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
}

/** Duck-typed so Errors from other realms (vm contexts, jest) are recognised too. */
export function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    typeof value.message === 'string' &&
    'stack' in value &&
    typeof value.stack === 'string'
  );
}

export function errorFields(err: Error): ErrorFields {
  const out: ErrorFields = { name: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  // Cast: Only read, each field checked before use: errors carry code and cause beyond Error's typing.
  const extra = err as Error & { code?: unknown; cause?: unknown };
  if (extra.code !== undefined) out.code = extra.code;
  if (extra.cause !== undefined) out.cause = extra.cause;
  return out;
}

function replacer(): (this: unknown, key: string, value: unknown) => unknown {
  // Ancestors of the value being visited: a value equal to one of them closes a cycle. A WeakSet of
  // everything seen would also flag shared, non-circular references.
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    // A substitute object becomes the parent of what JSON.stringify visits next, so it is pushed too.
    let substitute: unknown = value;
    if (isErrorLike(value)) substitute = errorFields(value);
    else if (value instanceof Map) substitute = Object.fromEntries(value);
    else if (value instanceof Set) substitute = [...value];
    if (substitute !== value) ancestors.push(substitute);
    return substitute;
  };
}

/** JSON text for any value; never throws. `undefined` and functions become null at top level. */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, replacer()) ?? 'null';
  } catch (err) {
    return JSON.stringify(`[unserialisable: ${describeFailure(err)}]`);
  }
}

function describeFailure(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unknown error';
  }
}
