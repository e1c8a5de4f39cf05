// The emulator reads and writes PHP's query dialect (bracket keys, `+` as space) with the `qs` library, never with the
// client's own encoder: the emulator is the other side of every test, and a bug both sides shared would pass them all.
// The options make qs behave as PHP's parse_str with its default limits.

import qs from 'qs';

// PHP's max_input_vars and max_input_nesting_level; lists up to PHP's own sizes stay lists (qs makes objects past 20).
const PHP_LIMITS = { parameterLimit: 1000, depth: 64, arrayLimit: 10_000 } as const;

/** Decodes a query string or form body as PHP's parse_str does; keys that would reach a prototype are dropped. */
export function decodePhpForm(text: string): Record<string, unknown> {
  const parsed: unknown = qs.parse(text, { ...PHP_LIMITS, allowPrototypes: false, ignoreQueryPrefix: true, charset: 'utf-8' });
  return parsed as Record<string, unknown>;
}

/** Encodes fields as PHP's http_build_query does for a form body: bracket keys, lists by index, no empty values. */
export function encodePhpForm(fields: Record<string, unknown>): string {
  return qs.stringify(fields, { arrayFormat: 'indices', skipNulls: true });
}
