import { factsOf } from '../error-codes';
import { Bitrix24Error } from '../errors';

/** How failed calls are repeated. */
export interface RetryOptions {
  /** Sends of one call at the most, the first included. */
  maxAttempts: number;
  /** The first back-off; each further attempt doubles it. */
  baseDelayMs: number;
  /** The longest back-off. */
  maxDelayMs: number;
  /**
   * Also repeat calls that may have run (timeout or connection lost after sending, 5xx). Off by default: a repeated
   * log call can write its line twice.
   */
  retryAmbiguous: boolean;
}

/** Five sends at the most, backing off from half a second to 30 s; calls that may have run are not repeated. */
export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  retryAmbiguous: false,
};

/**
 * Whether repeating a failed call is safe and may help: only when the portal certainly did not run it and the error
 * table says waiting can help (the limits, a locked workflow, a connection that never opened), or when the caller
 * allowed repeating ambiguous failures. OVERLOAD_LIMIT (a block by the vendor) and a moved portal are never repeated.
 */
export function isRetryable(error: Bitrix24Error, retryAmbiguous: boolean): boolean {
  if (error.certainty === 'not-executed') return factsOf(error.code)?.retry === true;
  return error.certainty === 'ambiguous' && retryAmbiguous;
}

/** The wait before attempt `attempt + 1`: exponential, capped, with half of it random so clients do not move in step. */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
