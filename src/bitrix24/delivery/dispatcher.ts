import { AbortWatch, abortError } from './abort-watch';
import { Admission, ADMISSION_PENDING } from './admission';
import { pickBatch } from './batch-picker';
import { BATCH_METHOD, batchParams, commandString, MAX_BATCH_COMMANDS, splitBatchResult } from './batch-request';
import { CallQueue, QueuedCall } from './call-queue';
import type { CallOptions, RestCaller, RestSender } from '../client';
import { RestResult } from '../envelope';
import { Bitrix24Error, nodeClosedError } from '../errors';
import { secretsOfParams } from '../redact';
import { LeakyBucket } from './leaky-bucket';
import { OperatingTimeGuard } from './operating-limit';
import { checkedRateLimit, RateLimit } from './rate-limit';
import { backoffDelay, DEFAULT_RETRY_OPTIONS, isRetryable, RetryOptions } from './retry-policy';
import { Scheduler, systemScheduler } from './scheduler';

/** Settings of a portal's queue. */
export interface DispatcherOptions {
  /** The portal's leaky bucket to mirror; false sends as fast as answers come back. */
  rateLimit?: RateLimit | false;
  /**
   * Where the queue asks for room on the portal instead of its own LeakyBucket of `rateLimit`: a bucket shared with
   * other processes (shared/shared-admission.ts).
   */
  admission?: Admission;
  /** Calls that may wait at once; one more is refused at once with QUEUE_FULL. */
  maxQueue?: number;
  /** How long a call may wait for its turn, in ms; past it, QUEUE_TIMEOUT. */
  maxWaitMs?: number;
  /** Requests (single calls or batches) in flight at once. */
  maxInFlight?: number;
  retry?: Partial<RetryOptions>;
  scheduler?: Scheduler;
  /** For the back-off jitter; tests pass a fixed one. */
  random?: () => number;
}

/** Sensible defaults: standard-plan limits, 10,000 waiting calls, 5 minutes of waiting, 4 requests in flight. */
export const DEFAULT_DISPATCHER_OPTIONS = { maxQueue: 10_000, maxWaitMs: 300_000, maxInFlight: 4 } as const;

// How often waiting calls are checked against their deadline, at most.
const SWEEP_INTERVAL_MS = 1_000;

/**
 * One portal's queue: every node using the portal shares it, and with it the portal's rate limit. When a request
 * may go and one call waits, it goes alone; when several wait, up to 50 go as one `batch`. Calls with the same order
 * key reach the portal in arrival order. Failures are repeated only when the portal certainly did not run the call.
 */
export class BatchDispatcher implements RestCaller {
  private readonly queue = new CallQueue();
  private readonly bucket: Admission | undefined;
  private readonly operating = new OperatingTimeGuard();
  private readonly scheduler: Scheduler;
  private readonly retry: RetryOptions;
  private readonly random: () => number;
  private readonly maxQueue: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;
  private readonly busyKeys = new Map<string, number>();
  private readonly aborts = new AbortWatch((call, error) => this.settle(call, error));
  private readonly idleWaiters: Array<() => void> = [];
  private inFlightRequests = 0;
  private seq = 0;
  private closing = false;
  private pumpScheduled = false;
  private wakeTimer: { at: number; cancel: () => void } | undefined;
  private sweepTimer: (() => void) | undefined;

  constructor(
    private readonly sender: RestSender,
    options: DispatcherOptions = {},
  ) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.random = options.random ?? Math.random;
    this.maxQueue = options.maxQueue ?? DEFAULT_DISPATCHER_OPTIONS.maxQueue;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_DISPATCHER_OPTIONS.maxWaitMs;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_DISPATCHER_OPTIONS.maxInFlight;
    const limit = options.rateLimit ?? { burst: 50, drainPerSecond: 2 };
    this.bucket = options.admission ?? (limit === false ? undefined : new LeakyBucket(checkedRateLimit(limit), this.scheduler.now()));
    this.bucket?.attach?.({
      wake: () => this.pump(),
      hold: (method, ms) => {
        const now = this.scheduler.now();
        this.operating.holdUntil(method, now, now + ms);
      },
    });
  }

  /** Calls waiting for their turn. */
  get queued(): number {
    return this.queue.size;
  }

  /** Requests (single calls or batches) sent and not yet answered. */
  get inFlight(): number {
    return this.inFlightRequests;
  }

  /** Queues one call; the promise settles with its own result or error, never with another call's. */
  call(method: string, params: Record<string, unknown>, options: CallOptions = {}): Promise<RestResult> {
    if (this.closing) return Promise.reject(nodeClosedError());
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
    if (this.queue.size >= this.maxQueue) {
      return Promise.reject(
        new Bitrix24Error('QUEUE_FULL', `The portal's queue is full (${this.maxQueue} calls wait); the call was not sent.`),
      );
    }
    return new Promise<RestResult>((resolve, reject) => {
      const call: QueuedCall = {
        seq: this.seq++,
        method,
        params,
        orderKey: options.orderKey,
        auth: options.auth,
        repeatable: options.repeatable === true,
        enqueuedAt: this.scheduler.now(),
        state: 'queued',
        attempts: 0,
        notBefore: 0,
        resolve,
        reject,
      };
      if (options.signal !== undefined) this.aborts.watch(options.signal, call);
      this.queue.push(call);
      this.ensureSweep();
      this.pumpSoon();
    });
  }

  /**
   * Stops taking calls, lets waiting ones go as the limit allows for up to `graceMs`, then ends those still waiting
   * with NODE_CLOSED and waits (within the same grace) for requests in flight. Resolves with how many were ended.
   */
  async close(graceMs: number): Promise<number> {
    this.closing = true;
    const deadline = this.scheduler.now() + graceMs;
    await this.idleOr(graceMs);
    let ended = 0;
    for (const call of [...this.queue]) {
      this.settle(call, nodeClosedError());
      ended += 1;
    }
    await this.idleOr(Math.max(0, deadline - this.scheduler.now()));
    this.wakeTimer?.cancel();
    this.wakeTimer = undefined;
    this.sweepTimer?.();
    this.sweepTimer = undefined;
    this.sender.close();
    return ended;
  }

  /**
   * Pumps once the caller's current synchronous work is done, so calls made together (the pages of a list window)
   * are considered together and share a batch; a lone call still goes at once, a microtask later.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlightRequests < this.maxInFlight && this.queue.size > 0) {
      const now = this.scheduler.now();
      const bucketDelay = this.bucket?.delayUntilFree(now) ?? 0;
      // A shared bucket's answer is on its way: it wakes the queue when it comes.
      if (bucketDelay === ADMISSION_PENDING) return;
      if (bucketDelay > 0) {
        this.wakeAt(now + bucketDelay);
        return;
      }
      const { picked, nextReadyAt, waitingOnBusyKeys } = pickBatch(this.queue, {
        now,
        busyKeys: this.busyKeys,
        methodDelay: (method, at) => this.operating.delayFor(method, at),
        maxWaitMs: this.maxWaitMs,
        reject: (call, error) => this.settle(call, error),
      });
      if (picked.length === 0) {
        if (nextReadyAt !== undefined) this.wakeAt(nextReadyAt);
        return;
      }
      // Calls held back only because their key is in flight will be free when that request returns: a part-full
      // batch now would spend a request of the portal's limit on a few lines, so wait and send a full one then.
      if (waitingOnBusyKeys && picked.length < MAX_BATCH_COMMANDS && this.inFlightRequests > 0) return;
      this.bucket?.take(now);
      this.send(picked, now);
    }
  }

  private send(calls: QueuedCall[], now: number): void {
    this.inFlightRequests += 1;
    for (const call of calls) {
      this.queue.remove(call, 'sending');
      call.attempts += 1;
      this.operating.sent(call.method, now);
      if (call.orderKey !== undefined) this.busyKeys.set(call.orderKey, (this.busyKeys.get(call.orderKey) ?? 0) + 1);
    }
    // A batch carries its commands' tokens inside encoded strings: they are named so no answer can show them.
    const secrets = calls.length === 1 ? [] : calls.flatMap((call) => secretsOfParams(call.params));
    const options = { ...(calls[0].auth === undefined ? {} : { auth: calls[0].auth }), ...(secrets.length === 0 ? {} : { secrets }) };
    const request =
      calls.length === 1
        ? this.sender.call(calls[0].method, calls[0].params, options)
        : this.sender.call(BATCH_METHOD, batchParams(calls.map((call) => call.command ?? commandString(call))), options);
    request
      .then(
        (answer) => this.answered(calls, answer, secrets),
        (error: unknown) => {
          const failure = toBitrix24Error(error);
          for (const call of calls) this.failed(call, failure);
        },
      )
      .catch((error: unknown) => {
        for (const call of calls) this.settle(call, toBitrix24Error(error));
      })
      .finally(() => {
        this.inFlightRequests -= 1;
        for (const call of calls) {
          if (call.orderKey === undefined) continue;
          const left = (this.busyKeys.get(call.orderKey) ?? 1) - 1;
          if (left > 0) this.busyKeys.set(call.orderKey, left);
          else this.busyKeys.delete(call.orderKey);
        }
        this.pump();
        this.notifyIfIdle();
      });
  }

  private answered(calls: QueuedCall[], answer: RestResult, secrets: readonly string[]): void {
    const now = this.scheduler.now();
    if (calls.length === 1) {
      this.operating.observe(calls[0].method, answer.time, now);
      this.settle(calls[0], undefined, answer);
      return;
    }
    const outcomes = splitBatchResult(answer.result, calls.length, [...this.sender.secrets(), ...secrets]);
    outcomes.forEach((outcome, index) => {
      const call = calls[index];
      if (outcome.ok) {
        this.operating.observe(call.method, outcome.answer.time, now);
        this.settle(call, undefined, outcome.answer);
      } else {
        this.failed(call, outcome.error);
      }
    });
  }

  private failed(call: QueuedCall, error: Bitrix24Error): void {
    const now = this.scheduler.now();
    if (error.code === 'QUERY_LIMIT_EXCEEDED') this.bucket?.markFull(now);
    if (error.code === 'OPERATION_TIME_LIMIT') {
      const until = this.operating.hold(call.method, now, error.retryAfterSeconds);
      this.bucket?.held?.(call.method, until - now);
    }
    if (this.closing || call.attempts >= this.retry.maxAttempts || !isRetryable(error, this.retry.retryAmbiguous || call.repeatable)) {
      this.settle(call, error);
      return;
    }
    call.lastError = error;
    call.notBefore = now + backoffDelay(call.attempts, this.retry, this.random);
    this.queue.putBack([call]);
  }

  /** Ends a call once, with its answer or its error, wherever it is. */
  private settle(call: QueuedCall, error: Bitrix24Error | undefined, answer?: RestResult): void {
    if (call.state === 'settled') return;
    if (call.state === 'queued') this.queue.remove(call, 'settled');
    call.state = 'settled';
    call.watchers?.delete(call);
    if (error !== undefined) call.reject(error);
    else call.resolve(answer as RestResult);
    this.notifyIfIdle();
  }

  private wakeAt(at: number): void {
    if (this.wakeTimer !== undefined && this.wakeTimer.at <= at) return;
    this.wakeTimer?.cancel();
    const cancel = this.scheduler.schedule(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, at - this.scheduler.now());
    this.wakeTimer = { at, cancel };
  }

  private ensureSweep(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = this.scheduler.schedule(() => {
      this.sweepTimer = undefined;
      this.sweep();
    }, Math.min(SWEEP_INTERVAL_MS, this.maxWaitMs));
  }

  /** Ends calls that waited longer than allowed, then checks again while calls wait. */
  private sweep(): void {
    const now = this.scheduler.now();
    for (const call of [...this.queue]) {
      if (now - call.enqueuedAt < this.maxWaitMs) continue;
      const last = call.lastError === undefined ? '' : ` The last attempt failed with ${call.lastError.code}.`;
      this.settle(
        call,
        new Bitrix24Error('QUEUE_TIMEOUT', `The call waited longer than ${this.maxWaitMs / 1000} s for its turn.${last}`, {
          ...(call.lastError === undefined ? {} : { description: call.lastError.code }),
        }),
      );
    }
    if (this.queue.size > 0) this.ensureSweep();
  }

  private idleOr(ms: number): Promise<void> {
    if ((this.queue.size === 0 && this.inFlightRequests === 0) || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.scheduler.schedule(resolve, ms);
      this.idleWaiters.push(() => {
        cancel();
        resolve();
      });
    });
  }

  private notifyIfIdle(): void {
    if (this.queue.size !== 0 || this.inFlightRequests !== 0) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }
}

function toBitrix24Error(error: unknown): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  return new Bitrix24Error('INTERNAL_ERROR', 'Unexpected internal error while sending to the portal.', {
    certainty: 'ambiguous',
  });
}
