// What a handler needs from a body before it may spend anything on it: `auth[application_token]` and `event`, found
// by one linear pass over the raw text without building a single object. Parsing a form or JSON body of 1 MB costs
// up to hundreds of milliseconds of event loop (issue 11, point 6); this scan costs about a millisecond, so a caller
// without the token is refused before any parser runs. The scan is a pre-filter: after the token matched, the body
// is parsed and the parsed token must match too, so where the scan and a parser could read a body differently the
// request is refused, never accepted.

import { MAX_APPLICATION_TOKEN_LENGTH } from './application-token';

/** The fields of a handler body that decide whether it is read at all. */
export interface HandlerCredentials {
  /** `auth[application_token]` when it is a string; a value that is not one (a list, an object) is absent. */
  applicationToken: string | undefined;
  /** The top-level `event` (`ONAPPINSTALL`, ...), upper-cased; absent for an activity request. */
  event: string | undefined;
}

/** What the JSON scan also counts, so that the caps hold before JSON.parse runs. */
export interface JsonShape extends HandlerCredentials {
  /** Members and elements, containers included. */
  entries: number;
  /** How deep containers nest below the top level: `{"a":{"b":{"c":1}}}` is 2. */
  depth: number;
}

// A value longer than this cannot be a token or an event name, so it is not even decoded.
const MAX_SCANNED_VALUE = MAX_APPLICATION_TOKEN_LENGTH * 3;
const MAX_SCANNED_KEY = 96;
const TOKEN_KEY = '[application_token]';
/** Read as "present but not usable": matches no token and no event. */
const UNUSABLE = '';

/** Decodes one form component as qs and PHP do (`+` is a space); a bad escape leaves the text as it is. */
function decodeFormComponent(text: string): string {
  const plain = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

/** Whether a raw form key can decode to `auth...` or `event`: the rest are stepped over without decoding. */
function mayBeOurKey(code: number): boolean {
  return code === 0x61 || code === 0x41 || code === 0x65 || code === 0x45 || code === 0x25;
}

/**
 * Scans an `application/x-www-form-urlencoded` body. Later pairs win, as with qs `duplicates: 'last'` and PHP;
 * top-level names are compared without case, as the receiver lower-cases them. Linear in the body: each `&` and `=`
 * is looked at once, and only keys that can be ours are decoded. Pairs and depth are left to the parser's caps.
 */
export function scanFormCredentials(text: string): HandlerCredentials {
  let applicationToken: string | undefined;
  let event: string | undefined;
  let start = 0;
  // The next `=` at or after `start`, kept across pairs so that pairs without one cost no rescans.
  let equals = -1;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (equals < start && equals !== Infinity) {
      equals = text.indexOf('=', start);
      if (equals < 0) equals = Infinity;
    }
    const keyEnd = equals < end ? equals : end;
    if (keyEnd - start <= MAX_SCANNED_KEY && mayBeOurKey(text.charCodeAt(start))) {
      const key = decodeFormComponent(text.slice(start, keyEnd));
      const open = key.indexOf('[');
      const base = (open < 0 ? key : key.slice(0, open)).toLowerCase();
      const rest = open < 0 ? '' : key.slice(open);
      const raw = equals < end ? text.slice(equals + 1, end) : '';
      const value = (): string => (raw.length > MAX_SCANNED_VALUE ? UNUSABLE : decodeFormComponent(raw));
      if (base === 'auth' && rest === TOKEN_KEY) applicationToken = value();
      else if (base === 'auth' && rest.startsWith(TOKEN_KEY)) applicationToken = undefined;
      else if (base === 'event' && rest === '') event = value();
    }
    start = end + 1;
  }
  return { applicationToken, event: eventName(event) };
}

function eventName(value: string | undefined): string | undefined {
  const name = value?.trim();
  return name ? name.toUpperCase() : undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** The index just past the string whose opening quote is at `at`, or -1 when it never ends. */
function stringEnd(text: string, at: number): number {
  let quote = text.indexOf('"', at + 1);
  while (quote >= 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

/** The text of a JSON string token (with its quotes); escapes are decoded only for short strings. */
function stringValue(token: string): string {
  if (token.length > MAX_SCANNED_VALUE + 2) return UNUSABLE;
  if (!token.includes('\\')) return token.slice(1, -1);
  try {
    return JSON.parse(token) as string;
  } catch {
    return UNUSABLE;
  }
}

/**
 * Scans a JSON body: only the top-level members `auth` (its member `application_token`) and `event` are read, every
 * other value is stepped over while entries and depth are counted. Duplicate members: the later wins, as in
 * JSON.parse. Broken JSON ends the scan with what was found so far; the parse that follows a match refuses it.
 */
export function scanJsonCredentials(text: string): JsonShape {
  const length = text.length;
  let at = 0;
  while (at < length && isSpace(text.charCodeAt(at))) at += 1;
  if (text.charCodeAt(at) !== OPEN_OBJECT) return { applicationToken: undefined, event: undefined, entries: 0, depth: 0 };
  let applicationToken: string | undefined;
  let event: string | undefined;
  let entries = 0;
  let maxDepth = 0;
  // Containers open, as 1 (object) or 0 (array); the top-level object is containers[0].
  const containers: number[] = [];
  let expectingKey = false;
  let topKey: string | undefined;
  let authKey: string | undefined;
  let inAuth = false;
  while (at < length) {
    const code = text.charCodeAt(at);
    const depth = containers.length;
    if (isSpace(code) || code === COLON) {
      at += 1;
    } else if (code === COMMA) {
      expectingKey = containers[depth - 1] === 1;
      at += 1;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (depth > 0) entries += 1;
      if (depth === 1) {
        // A new value for a top-level member replaces an earlier one of the same name.
        if (topKey === 'auth') applicationToken = undefined;
        if (topKey === 'event') event = undefined;
        inAuth = topKey === 'auth' && code === OPEN_OBJECT;
      }
      if (depth === 2 && inAuth && authKey === 'application_token') applicationToken = undefined;
      containers.push(code === OPEN_OBJECT ? 1 : 0);
      maxDepth = Math.max(maxDepth, containers.length - 1);
      expectingKey = code === OPEN_OBJECT;
      at += 1;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      containers.pop();
      if (containers.length === 1) inAuth = false;
      if (containers.length === 0) break;
      expectingKey = false;
      at += 1;
    } else if (code === QUOTE) {
      const end = stringEnd(text, at);
      if (end < 0) break;
      if (expectingKey) {
        if (depth === 1) topKey = stringValue(text.slice(at, end)).toLowerCase();
        else if (depth === 2 && inAuth) authKey = stringValue(text.slice(at, end));
        expectingKey = false;
      } else {
        entries += 1;
        if (depth === 1 && topKey === 'event') event = stringValue(text.slice(at, end));
        else if (depth === 1 && topKey === 'auth') applicationToken = undefined;
        else if (depth === 2 && inAuth && authKey === 'application_token') applicationToken = stringValue(text.slice(at, end));
      }
      at = end;
    } else {
      // Only a key may stand here in JSON: the body is broken, and what was found before the break is the answer.
      if (expectingKey) break;
      // A number, true, false or null: up to the next structural character or space.
      entries += 1;
      if (depth === 1 && topKey === 'event') event = undefined;
      if (depth === 1 && topKey === 'auth') applicationToken = undefined;
      if (depth === 2 && inAuth && authKey === 'application_token') applicationToken = undefined;
      at += 1;
      while (at < length && !isDelimiter(text.charCodeAt(at))) at += 1;
    }
  }
  return { applicationToken, event: eventName(event), entries, depth: maxDepth };
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isDelimiter(code: number): boolean {
  return isSpace(code) || code === COMMA || code === COLON || code === CLOSE_OBJECT || code === CLOSE_ARRAY || code === OPEN_OBJECT || code === OPEN_ARRAY || code === QUOTE;
}
