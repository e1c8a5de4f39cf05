import type { CallOptions, RestCaller } from './client';
import { RestResult } from './envelope';
import { Bitrix24Error, readField } from './errors';

/** A call of any REST method whose input has been checked: a method name and its parameters. */
export interface MethodCall {
  method: string;
  params: Record<string, unknown>;
}

// Bitrix24's method names: dotted words of letters, digits and `_` (crm.deal.list, user.current, bizproc.robot.add).
// Anything else could walk out of the REST path (`../`), or smuggle a query into it.
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const MAX_METHOD_NAME_LENGTH = 128;

function invalidMethod(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_METHOD', message, { reason });
}

/** Checks a method name and returns it trimmed; throws INVALID_METHOD without repeating the value. */
export function validateMethodName(value: unknown): string {
  if (value === undefined || value === null || value === '') throw invalidMethod('missing', 'There is no method name.');
  if (typeof value !== 'string') throw invalidMethod('type', `The method name must be a string, not ${typeof value}.`);
  const name = value.trim();
  if (name.length > MAX_METHOD_NAME_LENGTH || !METHOD_NAME.test(name)) {
    throw invalidMethod('name', 'The method name must be dotted words of letters, digits and _ (such as crm.deal.list).');
  }
  return name;
}

/** Checks a call's parameters: an object of them, or nothing (no parameters). Throws INVALID_PARAMS. */
export function validateParams(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const isPlainObject =
    typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date) && !(value instanceof Map);
  if (!isPlainObject) {
    const kind = Array.isArray(value) ? 'an array' : Buffer.isBuffer(value) ? 'a Buffer' : `a ${typeof value}`;
    throw new Bitrix24Error('INVALID_PARAMS', `The parameters must be an object keyed by parameter name, not ${kind}.`, { reason: 'type' });
  }
  return value as Record<string, unknown>;
}

/**
 * Checks the input of a call of any method without calling the portal: the method name, then the parameters. Throws
 * INVALID_METHOD or INVALID_PARAMS naming the field (`method`, `params`) it is about.
 */
export function prepareMethodCall(method: unknown, params: unknown): MethodCall {
  return { method: readField('method', () => validateMethodName(method)), params: readField('params', () => validateParams(params)) };
}

/**
 * Calls the method once: `result`, `time`, and for list methods `total` and `next` (the `start` of the next page).
 * `repeatable` in the options marks a method that only reads, so a call that may have run can be sent again.
 */
export function callMethod(caller: RestCaller, call: MethodCall, options: CallOptions = {}): Promise<RestResult> {
  return caller.call(call.method, call.params, options);
}
