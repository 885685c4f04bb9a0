// The configuration is shared by many modules of a long-running process; freezing it turns
// an accidental write into an immediate TypeError instead of a zone that drifts from its file.
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
