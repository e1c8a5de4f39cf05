import { BATCH_METHOD, commandString, expressibleAsCommand, MAX_BATCH_COMMANDS } from './batch-request';
import { QueuedCall } from './call-queue';
import { Bitrix24Error } from '../errors';

// A batch larger than this (in URL-encoded command text) is split, whatever its command count: portals cap POST size.
const MAX_BATCH_BYTES = 1_000_000;
// How far past busy keys the queue is searched for a call that may go; keeps one pick cheap with 100,000 waiting.
const SCAN_WINDOW = 2_000;

/** What the queue knows when it composes the next request. */
export interface PickContext {
  now: number;
  /** Order keys with a request in flight: their calls wait, so they never overtake it. */
  busyKeys: ReadonlyMap<string, number>;
  /** Milliseconds before a method may be called again (the operating-time guard). */
  methodDelay(method: string, now: number): number;
  /** How long a call may wait for its turn, in ms. */
  maxWaitMs: number;
  /** Ends a call that cannot be sent at all. */
  reject(call: QueuedCall, error: Bitrix24Error): void;
}

/** The calls for the next request, and when to look again if none may go now. */
export interface Pick {
  picked: QueuedCall[];
  /** The earliest time a call held back by a back-off or a method hold may go. */
  nextReadyAt: number | undefined;
  /** Some call waits only because its order key is in flight: it will be free when that request returns. */
  waitingOnBusyKeys: boolean;
}

/** The error of a call the operating-time limit holds beyond its maximum wait: it was not sent, and says why. */
function heldPastDeadline(method: string, until: number): Bitrix24Error {
  const when = new Date(until).toISOString();
  return new Bitrix24Error('OPERATION_TIME_LIMIT', `Bitrix24's operating-time limit holds ${method} until ${when}, past the call's maximum wait; it was not sent.`, {
    reason: 'held',
    description: `${method} until ${when}`,
  });
}

/**
 * Composes the next request: the oldest calls that may go, skipping order keys in flight or backing off (and every
 * later call with such a key, which must not overtake), calls with other credentials than the first picked, within
 * 50 commands and the size cap.
 */
export function pickBatch(queue: Iterable<QueuedCall>, context: PickContext): Pick {
  const { now, busyKeys } = context;
  const picked: QueuedCall[] = [];
  const blocked = new Set<string>(busyKeys.keys());
  let nextReadyAt: number | undefined;
  let waitingOnBusyKeys = false;
  let bytes = 0;
  let scanned = 0;
  let batchToken: string | undefined;
  for (const call of queue) {
    if (scanned++ >= SCAN_WINDOW) break;
    if (call.orderKey !== undefined && blocked.has(call.orderKey)) {
      if (busyKeys.has(call.orderKey)) waitingOnBusyKeys = true;
      continue;
    }
    const methodDelay = context.methodDelay(call.method, now);
    // Held by the operating-time limit past the call's deadline: waiting would only end in QUEUE_TIMEOUT later.
    if (methodDelay > 0 && now + methodDelay > call.enqueuedAt + context.maxWaitMs) {
      context.reject(call, heldPastDeadline(call.method, now + methodDelay));
      continue;
    }
    const readyAt = Math.max(call.notBefore, now + methodDelay);
    if (readyAt > now) {
      nextReadyAt = nextReadyAt === undefined ? readyAt : Math.min(nextReadyAt, readyAt);
      if (call.orderKey !== undefined) blocked.add(call.orderKey);
      continue;
    }
    // A batch is authorised once, so it holds only calls with the same credentials; others wait for their own.
    if (picked.length > 0 && call.auth?.accessToken !== batchToken) {
      if (call.orderKey !== undefined) blocked.add(call.orderKey);
      continue;
    }
    // A `batch` of the caller's own cannot travel inside ours (the portal refuses nested batches), nor can a call the
    // query form would change (an empty map in its parameters): each goes alone.
    if (call.method === BATCH_METHOD || !expressibleAsCommand(call.params)) {
      if (picked.length > 0) {
        if (call.orderKey !== undefined) blocked.add(call.orderKey);
        continue;
      }
      picked.push(call);
      break;
    }
    try {
      call.command ??= commandString(call);
    } catch {
      // Parameters with no query form (a cycle): this call fails alone, the queue goes on.
      context.reject(call, new Bitrix24Error('INVALID_PARAMS', 'The call has parameters that cannot be sent (a cycle).'));
      continue;
    }
    batchToken = call.auth?.accessToken;
    if (picked.length > 0 && bytes + call.command.length > MAX_BATCH_BYTES) break;
    bytes += call.command.length;
    picked.push(call);
    if (picked.length === MAX_BATCH_COMMANDS) break;
  }
  return { picked, nextReadyAt, waitingOnBusyKeys };
}
