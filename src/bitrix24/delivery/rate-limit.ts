/** A portal's request limit: a leaky bucket of `burst` requests that drains `drainPerSecond` requests each second. */
export interface RateLimit {
  burst: number;
  drainPerSecond: number;
}

/** Bitrix24's published limits: every plan but Enterprise, and Enterprise. */
export const RATE_LIMIT_PRESETS: Readonly<Record<'standard' | 'enterprise', RateLimit>> = {
  standard: { burst: 50, drainPerSecond: 2 },
  enterprise: { burst: 250, drainPerSecond: 5 },
};

/** Checks a limit given by a user; throws a RangeError naming what is wrong. */
export function checkedRateLimit(limit: RateLimit): RateLimit {
  if (!Number.isFinite(limit.burst) || limit.burst < 1) throw new RangeError('The burst must be a number of at least 1.');
  if (!Number.isFinite(limit.drainPerSecond) || limit.drainPerSecond <= 0) {
    throw new RangeError('The drain rate must be a positive number of requests per second.');
  }
  return { burst: Math.floor(limit.burst), drainPerSecond: limit.drainPerSecond };
}
