// Bitrix24's request limit is a leaky bucket: every request pours in 1, the level drains continuously at a fixed rate,
// and a request that would overflow the burst is refused (HTTP 503) without running. It is computed from the clock on
// each request, never by a timer, so a client that mirrors (burst, drain) against the same clock agrees exactly.

import { RateLimit } from './emulator-options';

// Float drain (e.g. 3/s over 333 ms) can leave 1e-15 of spurious level; that must not refuse a request.
const FLOAT_TOLERANCE = 1e-9;

/** The portal's leaky bucket for one (portal, source) pair. */
export class LeakyBucket {
  private level = 0;
  private updatedAt: number;

  /** An empty bucket at time `now` (ms). */
  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.updatedAt = now;
  }

  /** Admits one request at `now` and pours it in, or refuses it (a refused request adds nothing). */
  tryAdmit(now: number): boolean {
    this.drainUntil(now);
    if (this.level + 1 > this.limit.burst + FLOAT_TOLERANCE) return false;
    this.level += 1;
    return true;
  }

  /** The level at `now`, for inspection. */
  levelAt(now: number): number {
    this.drainUntil(now);
    return this.level;
  }

  private drainUntil(now: number): void {
    // A clock set backwards drains nothing rather than raising the level.
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.level = Math.max(0, this.level - elapsedSeconds * this.limit.drainPerSecond);
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
