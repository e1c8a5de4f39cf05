// A parsed handler body made safe to hand to a flow. Node-RED copies a message for every wire after the first
// (`cloneMessage`, lodash.clonedeep 4.5), and that copy assigns keys one by one: an own `__proto__` key becomes the
// copy's prototype, so `msg.properties.polluted` or an inherited `msg.auth.application_token` would appear
// (issue 11, point 7). Every level is rebuilt from ordinary objects and arrays, without the keys that reach
// prototypes, within caps on entries and depth.

import { Bitrix24Error } from '../errors';

/** Keys that name or reach a prototype; dropped at every level of a parsed body. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The caps a body's fields must stay within. */
export interface FieldLimits {
  /** Members and elements in all, containers included. */
  maxEntries: number;
  /** Containers below the top level. */
  maxDepth: number;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value);
}

/** Throws INVALID_ACTIVITY_REQUEST with `reason` (`limits` or `depth`), as a 400 for the caller. */
export function overLimit(reason: 'limits' | 'depth'): Bitrix24Error {
  const message = reason === 'depth' ? 'The body is nested too deeply.' : 'The body has too many fields.';
  return new Bitrix24Error('INVALID_ACTIVITY_REQUEST', message, { reason, statusCode: 400 });
}

/**
 * A copy of `root` (an object, with or without a prototype) of ordinary objects and arrays, without PROTOTYPE_KEYS
 * at any level and with top-level names lower-cased (a later name wins over an earlier one that lower-cases alike).
 * Walks with an explicit stack, so depth cannot overflow it. Throws INVALID_ACTIVITY_REQUEST past the limits.
 */
export function plainFieldsOf(root: Record<string, unknown>, limits: FieldLimits): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  const pending: Array<{ from: Container; to: Container; depth: number }> = [];
  let entries = 0;
  const copy = (value: unknown, depth: number): unknown => {
    entries += 1;
    if (entries > limits.maxEntries) throw overLimit('limits');
    if (!isContainer(value)) return value;
    if (depth > limits.maxDepth) throw overLimit('depth');
    const to: Container = Array.isArray(value) ? [] : {};
    pending.push({ from: value, to, depth });
    return to;
  };
  for (const key of Object.keys(root)) {
    const name = key.toLowerCase();
    if (PROTOTYPE_KEYS.has(name)) continue;
    top[name] = copy(root[key], 1);
  }
  while (pending.length > 0) {
    const { from, to, depth } = pending.pop() as { from: Container; to: Container; depth: number };
    if (Array.isArray(from) && Array.isArray(to)) {
      for (const item of from) to.push(copy(item, depth + 1));
      continue;
    }
    const source = from as Record<string, unknown>;
    const target = to as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      if (PROTOTYPE_KEYS.has(key)) continue;
      target[key] = copy(source[key], depth + 1);
    }
  }
  return top;
}
