// Bitrix24 also limits how much server time each REST method may use per webhook in a rolling window (about 480 s per
// 10 minutes on cloud). The emulator charges a fixed cost per executed call, so tests can reach the limit in a few calls.

import { OperatingLimit } from './emulator-options';

interface Usage {
  at: number;
  cost: number;
}

/** What `time.operating` and `time.operating_reset_at` report for one method. */
export interface OperatingSnapshot {
  /** Seconds used by this method inside the window. */
  usedSeconds: number;
  /** When the oldest usage leaves the window (ms); `now` when there is none. */
  resetAtMs: number;
}

const FLOAT_TOLERANCE = 1e-9;

/** Rolling per-method operating-time accounting. */
export class OperatingBudget {
  private readonly usageByMethod = new Map<string, Usage[]>();

  /** Accounting under `limit`. */
  constructor(private readonly limit: OperatingLimit) {}

  /** Whether one more call of `method` at `now` stays within the budget. */
  admits(method: string, now: number): boolean {
    return this.usedSeconds(method, now) + this.limit.costSecondsPerCall <= this.limit.budgetSeconds + FLOAT_TOLERANCE;
  }

  /** Records one executed call of `method` at `now`. */
  charge(method: string, now: number): void {
    const usage = this.currentUsage(method, now);
    usage.push({ at: now, cost: this.limit.costSecondsPerCall });
    this.usageByMethod.set(method, usage);
  }

  /** The usage of `method` at `now`. */
  snapshot(method: string, now: number): OperatingSnapshot {
    const usage = this.currentUsage(method, now);
    const oldest = usage[0];
    return {
      usedSeconds: roundMicro(usage.reduce((sum, entry) => sum + entry.cost, 0)),
      resetAtMs: oldest === undefined ? now : oldest.at + this.windowMs(),
    };
  }

  private usedSeconds(method: string, now: number): number {
    return this.snapshot(method, now).usedSeconds;
  }

  /** The usage still inside the window; older entries are dropped for good. */
  private currentUsage(method: string, now: number): Usage[] {
    const usage = this.usageByMethod.get(method) ?? [];
    const firstLive = usage.findIndex((entry) => entry.at + this.windowMs() > now);
    if (firstLive === 0) return usage;
    const live = firstLive < 0 ? [] : usage.slice(firstLive);
    if (live.length === 0) this.usageByMethod.delete(method);
    else this.usageByMethod.set(method, live);
    return live;
  }

  private windowMs(): number {
    return this.limit.windowSeconds * 1000;
  }
}

function roundMicro(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
