import type { CallAuth } from '../auth/request-auth';
import { Bitrix24Error } from '../errors';
import { RestResult } from '../envelope';

/** One call waiting in a portal's queue, or in flight. */
export interface QueuedCall {
  /** Arrival order: lower is older. */
  readonly seq: number;
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Calls with the same key reach the portal in arrival order (the event token, for bizproc calls). */
  readonly orderKey: string | undefined;
  /** The call's own credentials (auth carried by a message); only calls with the same access token share a batch. */
  readonly auth: CallAuth | undefined;
  /** The method only reads: a failure after which it may have run can be retried. */
  readonly repeatable: boolean;
  readonly enqueuedAt: number;
  state: 'queued' | 'sending' | 'settled';
  /** Which list of the queue holds it: arrivals, or calls put back after a failure. */
  lane?: 'arrivals' | 'retries';
  /** Sends so far. */
  attempts: number;
  /** Not before this time (ms): a back-off after a failure. */
  notBefore: number;
  /** The call in batch form, computed once when first needed. */
  command?: string;
  lastError?: Bitrix24Error;
  /** The calls of the same abort signal, which this call leaves when it settles. */
  watchers?: Set<QueuedCall>;
  resolve(answer: RestResult): void;
  reject(error: Bitrix24Error): void;
}

/**
 * The waiting calls of one portal in arrival order. Calls put back after a failure that may be retried go before
 * everything else, oldest first, so the order per key holds. Removal is lazy (a call leaves when its state changes),
 * which keeps taking and cancelling O(1) with 100,000 calls waiting.
 */
export class CallQueue {
  private retried: QueuedCall[] = [];
  private items: Array<QueuedCall | undefined> = [];
  private head = 0;
  private live = 0;

  /** How many calls wait. */
  get size(): number {
    return this.live;
  }

  /** Adds a new call at the end. */
  push(call: QueuedCall): void {
    this.items.push(call);
    this.live += 1;
  }

  /** Puts calls back that were sent and may be retried: before every other call, in arrival order. */
  putBack(calls: readonly QueuedCall[]): void {
    const returning = new Set(calls);
    const staying = this.retried.filter((c) => c.state === 'queued' && !returning.has(c));
    for (const call of calls) {
      call.state = 'queued';
      call.lane = 'retries';
    }
    this.retried = [...staying, ...calls].sort((a, b) => a.seq - b.seq);
    this.live += calls.length;
  }

  /** Marks a waiting call as gone (sent, cancelled or timed out); it is skipped from now on. */
  remove(call: QueuedCall, nextState: 'sending' | 'settled'): void {
    if (call.state !== 'queued') return;
    call.state = nextState;
    this.live -= 1;
  }

  /** The waiting calls in order: put-back calls first, then arrivals. */
  *[Symbol.iterator](): IterableIterator<QueuedCall> {
    for (const call of this.retried) if (call.state === 'queued') yield call;
    this.compact();
    for (let index = this.head; index < this.items.length; index += 1) {
      const call = this.items[index];
      if (call !== undefined && call.state === 'queued' && call.lane !== 'retries') yield call;
    }
  }

  private waitsInArrivals(call: QueuedCall | undefined): boolean {
    return call !== undefined && call.state === 'queued' && call.lane !== 'retries';
  }

  private compact(): void {
    this.retried = this.retried.filter((c) => c.state === 'queued');
    while (this.head < this.items.length && !this.waitsInArrivals(this.items[this.head])) {
      this.items[this.head] = undefined;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
