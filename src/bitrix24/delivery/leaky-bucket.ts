import type { Admission } from './admission';
import { RateLimit } from './rate-limit';

// The package counts a request when it sends it, the portal when it arrives: two requests sent the drain interval apart
// can arrive closer together. Half a second of such jitter is absorbed by keeping this much of the burst unused.
const JITTER_SECONDS = 0.5;

/** How much of the burst stays unused: half a second of drain, at least one request, and never the whole burst. */
export function headroomOf(limit: RateLimit): number {
  return Math.min(limit.burst - 1, Math.max(1, limit.drainPerSecond * JITTER_SECONDS));
}

/**
 * Our copy of the portal's leaky bucket: each request adds one, the level drains continuously, and a request may go
 * while it would not overflow the burst less a headroom (headroomOf), so that alone on a portal the package never
 * meets its limit. When the portal says the bucket is full (503 QUERY_LIMIT_EXCEEDED: other applications on the same
 * portal and address share it), our copy is filled too, so we wait as the portal would.
 */
export class LeakyBucket implements Admission {
  private level = 0;
  private updatedAt: number;
  private readonly capacity: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.updatedAt = now;
    this.capacity = limit.burst - headroomOf(limit);
  }

  /** Milliseconds until one more request fits (0: now). */
  delayUntilFree(now: number): number {
    this.drain(now);
    const excess = this.level + 1 - this.capacity;
    // A millionth of a request of tolerance absorbs floating-point error in the drain.
    return excess <= 1e-6 ? 0 : Math.ceil((excess / this.limit.drainPerSecond) * 1000);
  }

  /** Counts one request sent now. */
  take(now: number): void {
    this.drain(now);
    this.level += 1;
  }

  /** The portal refused a request for the limit: its bucket is full whatever ours says. */
  markFull(now: number): void {
    this.drain(now);
    this.level = Math.max(this.level, this.limit.burst);
  }

  /** The current level, for tests and status. */
  levelAt(now: number): number {
    this.drain(now);
    return this.level;
  }

  private drain(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.level = Math.max(0, this.level - elapsed * this.limit.drainPerSecond);
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
