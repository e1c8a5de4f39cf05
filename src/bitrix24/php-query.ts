// PHP's query-string dialect, which Bitrix24 reads inside `batch` commands: bracket keys (`RETURN_VALUES[a]=1`),
// lists by index, booleans as 1 and 0, following PHP `http_build_query`. Only the client's side is here: what the
// client writes, the emulator and the receiver read with a decoder of their own (qs), so no bug can hide on both sides.

/** Encodes parameters with PHP `http_build_query` semantics: nested keys in brackets, true/false as 1/0, null and undefined left out. */
export function encodePhpQuery(params: Record<string, unknown>): string {
  const pairs: string[] = [];
  const ancestors = new Set<object>();
  for (const [key, value] of Object.entries(params)) appendPairs(pairs, encodeComponent(key), value, ancestors);
  return pairs.join('&');
}

function appendPairs(pairs: string[], key: string, value: unknown, ancestors: Set<object>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'boolean') {
    pairs.push(`${key}=${value ? '1' : '0'}`);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
    pairs.push(`${key}=${encodeComponent(String(value))}`);
  } else if (value instanceof Date) {
    pairs.push(`${key}=${encodeComponent(value.toISOString())}`);
  } else if (typeof value === 'object') {
    if (ancestors.has(value)) throw new TypeError('encodePhpQuery: the parameters contain a cycle');
    ancestors.add(value);
    for (const [childKey, child] of Object.entries(value)) {
      appendPairs(pairs, `${key}%5B${encodeComponent(childKey)}%5D`, child, ancestors);
    }
    ancestors.delete(value);
  }
  // Functions and symbols have no query form, as http_build_query skips what it cannot represent.
}

function encodeComponent(text: string): string {
  // encodeURIComponent throws on a lone surrogate; PHP would send the bytes, we send U+FFFD rather than fail.
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
