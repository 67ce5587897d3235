/**
 * EventBridge event patterns, for events that arrive on a bus from another account: moto cannot
 * route those (it stamps them with the receiving account, local/sagemaker/event-buses.ts), so the
 * runner matches them against the receiving stack's rules itself. Every other event is matched by
 * moto's own EventBridge.
 *
 * EventBridge User Guide, "Creating event patterns" and "Content filtering in event patterns": every
 * field of the pattern must match; a list matches when the event's value (or any element of an array
 * value) equals one of its entries or satisfies one of its filters; nested objects match fields of
 * the same path. Supported filters: exact values, `prefix`, `suffix`, `anything-but` (values or a
 * prefix), `exists`. Any other filter is refused with an error naming it, never guessed.
 */
type Json = Record<string, unknown>;

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    throw new Error(`an event pattern must be a JSON object, not ${JSON.stringify(pattern)}`);
  }
  const value = (typeof event === 'object' && event !== null ? event : {}) as Json;
  return Object.entries(pattern as Json).every(([key, expected]) => {
    const actual = value[key];
    if (Array.isArray(expected)) return matchesList(expected, actual, key in value);
    return matchesPattern(expected, actual);
  });
}

function matchesList(list: readonly unknown[], actual: unknown, present: boolean): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return list.some((entry) => {
    if (entry !== null && typeof entry === 'object') return matchesFilter(entry as Json, values, present);
    return present && values.some((v) => v === entry);
  });
}

function matchesFilter(filter: Json, values: readonly unknown[], present: boolean): boolean {
  const [name, argument] = Object.entries(filter)[0] ?? [];
  switch (name) {
    case 'exists':
      return argument === present;
    case 'prefix':
      return present && values.some((v) => typeof v === 'string' && v.startsWith(String(argument)));
    case 'suffix':
      return present && values.some((v) => typeof v === 'string' && v.endsWith(String(argument)));
    case 'anything-but': {
      if (!present) return false;
      if (typeof argument === 'object' && argument !== null && !Array.isArray(argument)) {
        const prefix = (argument as Json).prefix;
        if (typeof prefix !== 'string')
          throw new Error(`unsupported anything-but filter ${JSON.stringify(argument)}`);
        return values.every((v) => typeof v !== 'string' || !v.startsWith(prefix));
      }
      const excluded = Array.isArray(argument) ? argument : [argument];
      return values.every((v) => !excluded.includes(v));
    }
    default:
      throw new Error(
        `the local runner cannot match the event pattern filter ${JSON.stringify(filter)} (supported: values, prefix, suffix, anything-but, exists)`,
      );
  }
}
