// Every timestamp the emulator uses (bucket drain, operating window, `time` fields, log lines) comes from one Clock, so a
// test can freeze time and move it by exact amounts instead of sleeping.

/** A source of the current time in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

// A fixed default start keeps `time` fields and page output identical from run to run.
const DEFAULT_START_MS = Date.UTC(2024, 0, 15, 9, 0, 0);

/** A clock that moves only when told to, for exact, sleep-free tests of time-dependent behaviour. */
export class ManualClock implements Clock {
  private current: number;

  /** Starts at `startMs` (default 2024-01-15T09:00:00Z). */
  constructor(startMs: number = DEFAULT_START_MS) {
    this.current = checkedTime(startMs, 'startMs');
  }

  /** The current time in milliseconds. */
  now(): number {
    return this.current;
  }

  /** Moves the clock forward; moving backwards is refused because a leaky bucket cannot un-drain. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance: ms must be a finite number >= 0, got ${ms}`);
    this.current += ms;
  }

  /** Jumps to an absolute time. */
  set(ms: number): void {
    this.current = checkedTime(ms, 'ms');
  }
}

function checkedTime(ms: number, name: string): number {
  if (!Number.isFinite(ms)) throw new RangeError(`ManualClock: ${name} must be a finite number, got ${ms}`);
  return ms;
}
