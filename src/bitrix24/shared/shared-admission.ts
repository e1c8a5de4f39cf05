// Admission to a portal's bucket shared by several processes through Redis: each request of this queue first takes
// room in the one bucket (bucket-script.ts), so the processes together never send more than the portal's limit. A 503
// fills the shared bucket, a 429 holds the method for every process. Each process keeps its own queue: only this
// decision is shared.
//
// Redis unreachable or slow (every command is bounded, redis-link.ts): the queue falls back to a bucket of its own at
// 1/N of the limit, N being the processes seen sharing the bucket in the last minute (at least 2), starting full as
// the shared one may be; so together they still stay within the limit, only slower. Once Redis answers again the
// shared bucket is treated as full before it is used (what was sent meanwhile was not counted there).

import { randomUUID } from 'node:crypto';
import { Admission, ADMISSION_PENDING, AdmissionListener } from '../delivery/admission';
import { LeakyBucket, headroomOf } from '../delivery/leaky-bucket';
import { checkedRateLimit, RateLimit } from '../delivery/rate-limit';
import { BUCKET_SCRIPT, BucketAnswer, BucketOperation, readBucketAnswer } from './bucket-script';
import type { RedisLink } from './redis-link';
import type { SharedKeys } from './shared-keys';

/** What a shared admission is built from. */
export interface SharedAdmissionOptions {
  link: RedisLink;
  keys: SharedKeys;
  /** The portal's limit, as every process sharing the bucket must configure it. */
  limit: RateLimit;
  /** The queue's clock (its scheduler's `now`). */
  now?: () => number;
  /** Told when the admission leaves the shared bucket for its own (false) and comes back (true). */
  onModeChange?: (shared: boolean) => void;
}

// Room taken is used at once or not at all: a request sent later than counted would reach the portal when the count
// says it has drained. Unused room only costs the bucket a moment of drain.
const PERMIT_TTL_MS = 100;
// While the shared bucket cannot be used, how often a request of the queue also asks Redis whether it is back.
const PROBE_INTERVAL_MS = 1_000;
// The fallback assumes at least this many processes share the portal: a Redis URL is set for that reason.
const MIN_SHARERS = 2;

/** A queue's admission to a bucket shared through Redis; see the file's head. */
export class SharedAdmission implements Admission {
  /** This process' name among those sharing the bucket. */
  readonly id = randomUUID();
  private readonly limit: RateLimit;
  private readonly capacity: number;
  private readonly now: () => number;
  private listener: AdmissionListener | undefined;
  private permitAt: number | undefined;
  private asking = false;
  private retryAt = 0;
  private fallback: LeakyBucket | undefined;
  private nextProbeAt = 0;
  private sharers = 1;
  private closed = false;
  private readonly unwatch: () => void;

  constructor(private readonly options: SharedAdmissionOptions) {
    this.limit = checkedRateLimit(options.limit);
    this.capacity = this.limit.burst - headroomOf(this.limit);
    this.now = options.now ?? Date.now;
    this.unwatch = options.link.onChange((state) => {
      if (!state.up) this.enterFallback(this.now());
      // Back up: ask at once rather than at the next request, so the portal's state clears without traffic.
      else if (this.fallback !== undefined && !this.asking) this.ask('recover');
    });
  }

  /** True while the shared bucket is used; false while the queue runs on its own fallback bucket. */
  get shared(): boolean {
    return this.fallback === undefined;
  }

  /** Processes seen sharing the bucket in the last minute, this one included (as Redis last said). */
  get instances(): number {
    return this.sharers;
  }

  attach(listener: AdmissionListener): void {
    this.listener = listener;
  }

  delayUntilFree(now: number): number {
    if (this.fallback !== undefined) {
      if (!this.asking && now >= this.nextProbeAt) this.ask('recover');
      return this.fallback.delayUntilFree(now);
    }
    if (this.permitAt !== undefined && now - this.permitAt <= PERMIT_TTL_MS) return 0;
    this.permitAt = undefined;
    if (this.asking) return ADMISSION_PENDING;
    if (now < this.retryAt) return this.retryAt - now;
    this.ask('take');
    return ADMISSION_PENDING;
  }

  take(now: number): void {
    if (this.fallback !== undefined) this.fallback.take(now);
    this.permitAt = undefined;
  }

  markFull(now: number): void {
    this.permitAt = undefined;
    if (this.fallback !== undefined) {
      this.fallback.markFull(now);
      return;
    }
    void this.send('full').catch(() => this.enterFallback(this.now()));
  }

  held(method: string, ms: number): void {
    void this.send('hold', [method, Math.max(0, Math.round(ms))]).then(
      (answer) => this.learn(answer),
      () => undefined,
    );
  }

  /** Leaves the set of processes sharing the bucket; the link itself is closed by its owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    this.listener = undefined;
    await this.send('leave').catch(() => undefined);
  }

  private ask(operation: 'take' | 'recover'): void {
    this.asking = true;
    this.send(operation).then(
      (answer) => {
        this.asking = false;
        const now = this.now();
        if (this.fallback !== undefined) {
          this.fallback = undefined;
          this.options.onModeChange?.(true);
        }
        if (answer.granted) this.permitAt = now;
        else this.retryAt = now + answer.delayMs;
        this.learn(answer);
        this.listener?.wake();
      },
      () => {
        this.asking = false;
        this.enterFallback(this.now());
        this.listener?.wake();
      },
    );
  }

  private learn(answer: BucketAnswer): void {
    this.sharers = answer.instances;
    for (const hold of answer.holds) this.listener?.hold(hold.method, hold.ms);
  }

  private enterFallback(now: number): void {
    this.nextProbeAt = now + PROBE_INTERVAL_MS;
    if (this.fallback !== undefined || this.closed) return;
    this.permitAt = undefined;
    const share = Math.max(MIN_SHARERS, this.sharers);
    this.fallback = new LeakyBucket({ burst: this.limit.burst, drainPerSecond: this.limit.drainPerSecond / share }, now);
    this.fallback.markFull(now);
    this.options.onModeChange?.(false);
  }

  private async send(operation: BucketOperation, extra: ReadonlyArray<string | number> = []): Promise<BucketAnswer> {
    const { keys, link } = this.options;
    const args = [operation, this.limit.burst, this.capacity, this.limit.drainPerSecond, this.id, ...extra];
    return readBucketAnswer(await link.run(BUCKET_SCRIPT, [keys.bucket, keys.instances, keys.holds], args));
  }
}
