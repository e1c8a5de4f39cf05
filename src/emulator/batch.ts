// `batch`: up to 50 commands in one HTTP request (one unit of the rate limit), each `method?query` with PHP bracket
// keys, run one after another through the same runner as plain calls. The answer is HTTP 200 even when commands fail;
// failures only appear in result_error. `$result[...]` references between commands are not supported: the package
// never sends them.

import { decodePhpForm } from './php-form';
import { CommandRunner } from './command-runner';
import { isPhpEmpty, phpArrayEntries, phpArrayToJson } from './php-values';
import { ResponseTime } from './response-time';
import { restErrors } from './rest-error';
import { normaliseMethodName, upperCaseKeys } from './rest-params';
import type { CallerContext } from './rest-methods';

/** The most commands one batch may hold. */
export const MAX_BATCH_COMMANDS = 50;

/** What a batch produced: the portal's `result` object and the times of the commands that succeeded. */
export interface BatchOutcome {
  result: {
    result: unknown;
    result_error: unknown;
    result_total: unknown;
    result_next: unknown;
    result_time: unknown;
  };
  times: ResponseTime[];
}

/** How many commands a batch request carries (what the request record counts). */
export function countBatchCommands(params: Record<string, unknown>): number {
  return phpArrayEntries(params.CMD).length;
}

/** Runs a batch for `caller` (its commands run as the batch's caller); throws RestError past 50 commands. */
export function runBatch(params: Record<string, unknown>, runner: CommandRunner, caller: CallerContext): BatchOutcome {
  const commands = phpArrayEntries(params.CMD);
  if (commands.length > MAX_BATCH_COMMANDS) throw restErrors.batchLengthExceeded();
  const halt = !isPhpEmpty(params.HALT);
  const results: Array<[string, unknown]> = [];
  const errors: Array<[string, unknown]> = [];
  const times: Array<[string, ResponseTime]> = [];
  const totals: Array<[string, number]> = [];
  const nexts: Array<[string, number]> = [];
  for (const [key, command] of commands) {
    const outcome = runCommand(command, runner, caller);
    if (outcome.ok) {
      results.push([key, outcome.result]);
      times.push([key, outcome.time]);
      if (outcome.total !== undefined) totals.push([key, outcome.total]);
      if (outcome.next !== undefined) nexts.push([key, outcome.next]);
    } else {
      errors.push([key, outcome.error.toBody()]);
      // With halt the portal stops at the first failure: later commands neither run nor appear.
      if (halt) break;
    }
  }
  return {
    result: {
      result: phpArrayToJson(results),
      result_error: phpArrayToJson(errors),
      result_total: phpArrayToJson(totals),
      result_next: phpArrayToJson(nexts),
      result_time: phpArrayToJson(times),
    },
    times: times.map(([, time]) => time),
  };
}

function runCommand(command: unknown, runner: CommandRunner, caller: CallerContext): ReturnType<CommandRunner['run']> {
  // A command that is not a `method?query` string names no method.
  if (typeof command !== 'string') return { ok: false, error: restErrors.methodNotFound() };
  const questionMark = command.indexOf('?');
  const method = normaliseMethodName(questionMark < 0 ? command : command.slice(0, questionMark));
  if (method === 'batch') return { ok: false, error: restErrors.batchMethodNotAllowed() };
  const query = questionMark < 0 ? '' : command.slice(questionMark + 1);
  return runner.run(method, upperCaseKeys(decodePhpForm(query)), caller);
}
