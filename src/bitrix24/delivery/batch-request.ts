import { statusOfCode } from '../error-codes';
import { Bitrix24Error } from '../errors';
import { portalError, readTime, RestResult } from '../envelope';
import { encodePhpQuery } from '../php-query';

/** The REST method that runs several commands in one request. */
export const BATCH_METHOD = 'batch';

/** Bitrix24 runs at most 50 commands in one `batch`. */
export const MAX_BATCH_COMMANDS = 50;

/** One call as it travels inside a batch. */
export interface BatchCommand {
  method: string;
  params: Record<string, unknown>;
}

/** The outcome of one command of a batch. */
export type CommandOutcome = { ok: true; answer: RestResult } | { ok: false; error: Bitrix24Error };

/** The query form of one command: `method?KEY=value&...`, values URL-encoded with PHP bracket keys. */
export function commandString(command: BatchCommand): string {
  return `${command.method}?${encodePhpQuery(command.params)}`;
}

/**
 * Whether the query form keeps every parameter: PHP's query dialect has no way to write an empty map or list (an empty
 * PROPERTIES that clears a robot's properties, say), so a call holding one must travel alone as JSON.
 */
export function expressibleAsCommand(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value)) return true;
  // Deeper than any real parameter set: left to the encoder, which refuses cycles itself.
  if (depth > 64) return true;
  const children = Object.values(value as Record<string, unknown>);
  if (depth > 0 && children.length === 0) return false;
  return children.every((child) => expressibleAsCommand(child, depth + 1));
}

/** The parameters of a `batch` call running `commands` (already in query form) in order, not halting on errors. */
export function batchParams(commands: readonly string[]): Record<string, unknown> {
  const cmd: Record<string, string> = {};
  commands.forEach((command, index) => {
    cmd[keyOf(index)] = command;
  });
  return { halt: 0, cmd };
}

/** Splits a batch's `result` back into one outcome per command; a command missing from both maps is ambiguous. */
export function splitBatchResult(result: unknown, count: number, secrets: Iterable<string>): CommandOutcome[] {
  const body = asMap(result);
  const results = asMap(body.result);
  const errors = asMap(body.result_error);
  const times = asMap(body.result_time);
  const totals = asMap(body.result_total);
  const nexts = asMap(body.result_next);
  const outcomes: CommandOutcome[] = [];
  for (let index = 0; index < count; index += 1) {
    const key = keyOf(index);
    const error = errors[key];
    if (error !== undefined && error !== null && typeof error === 'object') {
      const errorBody = error as Record<string, unknown>;
      outcomes.push({ ok: false, error: portalError(errorBody, statusOfCode(String(errorBody.error)), secrets) });
    } else if (key in results) {
      const answer: RestResult = { result: results[key] };
      const time = readTime(times[key]);
      if (time !== undefined) answer.time = time;
      // List methods page: their `total` and `next` travel beside the results, keyed like them.
      if (typeof totals[key] === 'number') answer.total = totals[key];
      if (typeof nexts[key] === 'number') answer.next = nexts[key];
      outcomes.push({ ok: true, answer });
    } else {
      outcomes.push({
        ok: false,
        error: new Bitrix24Error('INVALID_RESPONSE', 'The batch answer has no result for this call; it may have run.'),
      });
    }
  }
  return outcomes;
}

// Keys that are not numbers, so PHP keeps them as a map (numeric keys 0..n-1 come back as a list).
function keyOf(index: number): string {
  return `c${index}`;
}

// PHP sends an empty map as [], and a map with keys 0..n-1 as a list.
function asMap(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object') return {};
  return value as Record<string, unknown>;
}

