// What a caught value says. A catch clause receives `unknown`: Node and our code throw Errors, but
// anything can be thrown, so these read it without assuming. Duck-typed, not instanceof: an Error made
// in another realm (a vm context, as under jest) is read the same.

const field = (err: unknown, name: 'message' | 'stack' | 'code'): string | undefined =>
  typeof err === 'object' && err !== null && name in err ? stringOrUndefined(Reflect.get(err, name)) : undefined;

const stringOrUndefined = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An Error's message; anything else as a string. */
export const errorMessage = (err: unknown): string => field(err, 'message') ?? String(err);

/** An Error's stack (its message when it has none); anything else as a string. */
export const errorStack = (err: unknown): string => field(err, 'stack') ?? errorMessage(err);

/** A system error's code (ENOENT, EADDRINUSE...), or undefined. */
export const errorCode = (err: unknown): string | undefined => field(err, 'code');
