import { ResponseTime } from '../envelope';

/** Bitrix24's operating-time budget of one method: about 480 s of server time per 10 minutes. */
export const OPERATING_BUDGET_SECONDS = 480;

/** After a 429 the portal wants at least this long before the method is called again. */
export const MIN_OPERATING_HOLD_MS = 10_000;

// Below this share of the budget nothing is slowed down; above it, calls are spread so the rest lasts to the reset.
const SLOWDOWN_FROM = 0.5;

interface MethodUsage {
  /** Seconds of server time used in the current window, as the portal last reported. */
  operating: number;
  /** When the window resets, in ms. */
  resetAt: number;
  /** Seconds of server time one call costs, smoothed. */
  costPerCall: number;
  heldUntil: number;
  lastSentAt: number;
}

/**
 * Keeps each method within the portal's operating-time limit: holds a method after 429 OPERATION_TIME_LIMIT until its
 * window resets, and, from half the budget on, spaces its calls so the remaining budget lasts until the reset.
 */
export class OperatingTimeGuard {
  private readonly methods = new Map<string, MethodUsage>();

  constructor(private readonly budgetSeconds = OPERATING_BUDGET_SECONDS) {}

  /** Learns from the `time` block of an answer to `method`. */
  observe(method: string, time: ResponseTime | undefined, now: number): void {
    if (time === undefined || typeof time.operating !== 'number') return;
    const usage = this.usage(method, now);
    usage.operating = time.operating;
    if (typeof time.operating_reset_at === 'number') usage.resetAt = time.operating_reset_at * 1000;
    const cost = typeof time.processing === 'number' ? time.processing : time.duration;
    if (typeof cost === 'number' && cost > 0) usage.costPerCall = usage.costPerCall * 0.8 + cost * 0.2;
  }

  /**
   * The portal refused `method` with 429: hold it until its window resets, and at least the portal's minimum.
   * Returns until when (ms).
   */
  hold(method: string, now: number, retryAfterSeconds?: number): number {
    const usage = this.usage(method, now);
    const byPortal = retryAfterSeconds === undefined ? 0 : now + retryAfterSeconds * 1000;
    usage.heldUntil = Math.max(now + MIN_OPERATING_HOLD_MS, usage.resetAt > now ? usage.resetAt : 0, byPortal);
    return usage.heldUntil;
  }

  /** Another process was refused `method` with 429: hold it here until `until` (ms) as well. */
  holdUntil(method: string, now: number, until: number): void {
    const usage = this.usage(method, now);
    usage.heldUntil = Math.max(usage.heldUntil, until);
  }

  /** Milliseconds before `method` may be called again (0: now). */
  delayFor(method: string, now: number): number {
    const usage = this.methods.get(method);
    if (usage === undefined) return 0;
    if (usage.heldUntil > now) return usage.heldUntil - now;
    if (usage.resetAt <= now) {
      usage.operating = 0;
      return 0;
    }
    if (usage.operating < this.budgetSeconds * SLOWDOWN_FROM) return 0;
    const remaining = this.budgetSeconds - usage.operating;
    if (remaining <= usage.costPerCall) return usage.resetAt - now;
    const gapMs = ((usage.costPerCall * (usage.resetAt - now)) / remaining) | 0;
    return Math.max(0, usage.lastSentAt + gapMs - now);
  }

  /** Records that a call of `method` was sent now. */
  sent(method: string, now: number): void {
    const usage = this.methods.get(method);
    if (usage !== undefined) usage.lastSentAt = now;
  }

  private usage(method: string, now: number): MethodUsage {
    let usage = this.methods.get(method);
    if (usage === undefined) {
      usage = { operating: 0, resetAt: now, costPerCall: 0.1, heldUntil: 0, lastSentAt: 0 };
      this.methods.set(method, usage);
    }
    return usage;
  }
}
