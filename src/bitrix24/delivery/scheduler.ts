/** Time and timers for the parts of the client that wait (limiter, retries, queue deadlines), so tests can own them. */
export interface Scheduler {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` after `delayMs`; returns a function that cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

/** Real time and Node's timers. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

interface PendingTimer {
  at: number;
  order: number;
  callback: () => void;
}

/**
 * A scheduler whose time moves only when told to: `advance` runs every timer that falls due, in time order. Also a
 * valid emulator clock, so one object can drive both sides of a test.
 */
export class ManualScheduler implements Scheduler {
  private current: number;
  private timers: PendingTimer[] = [];
  private created = 0;

  constructor(startMs = Date.UTC(2024, 0, 15, 9, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer: PendingTimer = { at: this.current + Math.max(0, delayMs), order: this.created++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }


  /** The time of the next timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.reduce<number | undefined>((min, t) => (min === undefined || t.at < min ? t.at : min), undefined);
  }

  /** Moves time forward by `ms`, running each timer that falls due at its own moment. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
  }
}
