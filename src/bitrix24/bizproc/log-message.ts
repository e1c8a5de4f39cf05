import { Bitrix24Error } from '../errors';

/** The log column is a MySQL TEXT: 65,535 bytes. A longer line would be cut by the database, or refused. */
export const MAX_LOG_MESSAGE_BYTES = 65_535;

/** Appended to a cut message, so a reader of the process log sees that text is missing. */
export const TRUNCATION_MARKER = ' … [truncated]';

/** A log line ready to send: always a non-empty string within the column's size. */
export interface PreparedLogMessage {
  text: string;
  /** True when the input was longer than the column and was cut. */
  truncated: boolean;
}

function invalid(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_LOG_MESSAGE', message, { reason });
}

function empty(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('EMPTY_LOG_MESSAGE', message, { reason });
}

/** Turns whatever a flow holds into the text of one log line. */
function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      throw empty('missing', 'There is no log message: the message property is not set.');
    case 'symbol':
    case 'function':
      throw invalid('type', `A ${typeof value} cannot be written to the log.`);
  }
  if (value === null) throw empty('missing', 'There is no log message: the message property is null.');
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid('date', 'The log message is an invalid date.');
    return value.toISOString();
  }
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    throw invalid('json', 'The log message is an object that cannot be written as JSON (circular, or holds a BigInt).');
  }
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character, and marks the cut. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  let end = maxBytes - Buffer.byteLength(TRUNCATION_MARKER, 'utf8');
  // A UTF-8 continuation byte is 10xxxxxx: step back to the first byte of the character it belongs to.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + TRUNCATION_MARKER;
}

/**
 * Validates and coerces a log message: Buffers as UTF-8, numbers and booleans as text, objects and arrays as JSON.
 * Refuses what the portal would treat as empty (blank, or exactly "0", which PHP's `empty()` counts as empty), and
 * cuts what would not fit the log column.
 */
export function prepareLogMessage(value: unknown, maxBytes: number = MAX_LOG_MESSAGE_BYTES): PreparedLogMessage {
  const text = toText(value);
  if (text.trim() === '') throw empty('blank', 'The log message is empty or only white space.');
  if (text === '0') {
    throw empty('zero', 'The log message is "0", which Bitrix24 treats as an empty message and refuses.');
  }
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, truncated: false };
  return { text: truncateUtf8(text, maxBytes), truncated: true };
}
