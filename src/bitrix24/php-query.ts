// PHP's query-string dialect, which Bitrix24 speaks in form bodies and inside `batch` commands: bracket keys
// (`RETURN_VALUES[a]=1`, `cmd[k]=...`), `a[]` appends, `+` is a space. Parsing follows PHP `parse_str`, encoding follows
// `http_build_query`, so what one side writes the other reads back unchanged.

/** A value parsed from a PHP query string: a string, or a list or map of them. */
export type PhpQueryValue = string | PhpQueryValue[] | { [key: string]: PhpQueryValue };

// PHP's max_input_nesting_level: deeper keys are dropped, which also bounds the work hostile input can cause.
const MAX_NESTING_LEVEL = 64;

/** Decodes one query component like PHP `urldecode`: `+` is a space, bad `%` escapes stay literal, bad UTF-8 becomes U+FFFD. */
export function decodeQueryComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  const plain = text.replace(/\+/g, ' ');
  // Each `%XX` shrinks to one byte, so the UTF-8 length of the input is an upper bound for the decoded bytes.
  const bytes = Buffer.alloc(Buffer.byteLength(plain, 'utf8'));
  let length = 0;
  let runStart = 0;
  for (let i = 0; i < plain.length; i += 1) {
    if (plain.charCodeAt(i) !== 0x25 || !isHexDigit(plain.charCodeAt(i + 1)) || !isHexDigit(plain.charCodeAt(i + 2))) {
      continue;
    }
    length += bytes.write(plain.slice(runStart, i), length, 'utf8');
    bytes[length] = parseInt(plain.slice(i + 1, i + 3), 16);
    length += 1;
    i += 2;
    runStart = i + 1;
  }
  length += bytes.write(plain.slice(runStart), length, 'utf8');
  return bytes.toString('utf8', 0, length);
}

/** Parses a query string with PHP `parse_str` semantics: bracket keys nest, `a[]` appends, a later key wins. */
export function parsePhpQuery(query: string): Record<string, unknown> {
  const root = new PhpArray();
  const text = query.startsWith('?') ? query.slice(1) : query;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawKey = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? '' : decodeQueryComponent(pair.slice(equals + 1));
    const path = splitPhpKey(decodeQueryComponent(rawKey));
    if (path) root.assign(path, value);
  }
  return root.toObject();
}

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

/** Splits a decoded key into its path: `a[b][]` is ['a', 'b', null], null meaning "append". Undefined: PHP drops the key. */
function splitPhpKey(decodedKey: string): Array<string | null> | undefined {
  const key = decodedKey.replace(/^ +/, '');
  const open = key.indexOf('[');
  const close = open < 0 ? -1 : key.indexOf(']', open + 1);
  if (open < 0 || close < 0) {
    // PHP turns '.' and ' ' in a plain name into '_', and an unmatched '[' too (only the first one).
    const name = open < 0 ? mangleBaseName(key) : `${mangleBaseName(key.slice(0, open))}_${key.slice(open + 1)}`;
    return name === '' ? undefined : [name];
  }
  const base = mangleBaseName(key.slice(0, open));
  if (base === '') return undefined;
  const path: Array<string | null> = [base];
  let position = open;
  while (position < key.length && key[position] === '[') {
    const end = key.indexOf(']', position + 1);
    if (end < 0) break;
    const index = key.slice(position + 1, end);
    path.push(index === '' ? null : index);
    if (path.length > MAX_NESTING_LEVEL) return undefined;
    position = end + 1;
  }
  return path;
}

function mangleBaseName(name: string): string {
  return name.replace(/[ .]/g, '_');
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

const PHP_INTEGER_KEY = /^(0|-?[1-9][0-9]{0,14})$/;

/** PHP's ordered array: string or integer keys in insertion order, with the next index `[]` appends at. */
class PhpArray {
  private readonly entries = new Map<string, string | PhpArray>();
  private nextIndex = 0;

  assign(path: Array<string | null>, value: string): void {
    let container: PhpArray = this;
    for (let i = 0; i < path.length - 1; i += 1) {
      const key = container.resolveKey(path[i] ?? null);
      const existing = container.entries.get(key);
      // A scalar in the way is replaced, as PHP does when `a=1&a[b]=2` arrive in that order.
      const child = existing instanceof PhpArray ? existing : new PhpArray();
      container.set(key, child);
      container = child;
    }
    container.set(container.resolveKey(path[path.length - 1] ?? null), value);
  }

  toObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, value] of this.entries) defineEntry(result, key, toPlain(value));
    return result;
  }

  /** A JavaScript array when the keys are exactly 0..n-1 in order (what PHP's json_encode would print as a list). */
  toPlainValue(): PhpQueryValue {
    let index = 0;
    for (const key of this.entries.keys()) {
      if (key !== String(index)) return this.toObject() as { [key: string]: PhpQueryValue };
      index += 1;
    }
    return [...this.entries.values()].map(toPlain);
  }

  private resolveKey(key: string | null): string {
    return key === null ? String(this.nextIndex) : key;
  }

  private set(key: string, value: string | PhpArray): void {
    this.entries.set(key, value);
    if (PHP_INTEGER_KEY.test(key) && Number(key) >= this.nextIndex) this.nextIndex = Number(key) + 1;
  }
}

function toPlain(value: string | PhpArray): PhpQueryValue {
  return typeof value === 'string' ? value : value.toPlainValue();
}

/** Sets a key as an own data property, so that a key such as `__proto__` is data, never a prototype change. */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
