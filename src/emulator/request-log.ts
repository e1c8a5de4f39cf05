// The record of REST requests received, for tests to assert on: what arrived, how it was answered, never a secret
// (no path, no body, no token). A record is added on arrival, in arrival order, and settled once the request was
// handled; tests can await settlement instead of sleeping.

/** One REST request as received and answered. */
export interface RequestRecord {
  /** Clock time of arrival (ms). */
  at: number;
  /** 'GET', 'POST', ... */
  httpMethod: string;
  /** The REST method from the path, lower-case without `.json` (e.g. 'batch'). */
  restMethod: string;
  /** 1 for a plain call, the number of commands for `batch`. */
  commands: number;
  /** The HTTP status answered; 0 while pending or when the connection was dropped without an answer. */
  status: number;
  /** Whether the webhook user id and secret (or, on `/rest/<method>`, the OAuth access token) were right. */
  authorised: boolean;
}

interface Waiter {
  count: number;
  resolve: () => void;
}

// Bounded so that a long-running emulator (the CLI, a demo) does not grow without end.
const MAX_RECORDS = 100_000;

/** The ordered request records of one emulator. */
export class RequestLog {
  private entries: RequestRecord[] = [];
  private openRecords = new WeakSet<RequestRecord>();
  private settledRecords = new WeakSet<RequestRecord>();
  private settledCount = 0;
  private waiters: Waiter[] = [];

  /** The records, oldest first. */
  get records(): ReadonlyArray<Readonly<RequestRecord>> {
    return this.entries;
  }

  /** Adds the record of a request that just arrived. */
  open(record: RequestRecord): RequestRecord {
    this.entries.push(record);
    this.openRecords.add(record);
    if (this.entries.length > MAX_RECORDS) this.entries.shift();
    return record;
  }

  /** Marks a request handled with the status it was (or will be, after a delay) answered with. */
  settle(record: RequestRecord, status: number): void {
    record.status = status;
    if (this.settledRecords.has(record) || !this.openRecords.has(record)) return;
    this.settledRecords.add(record);
    this.settledCount += 1;
    const due = this.waiters.filter((waiter) => waiter.count <= this.settledCount);
    this.waiters = this.waiters.filter((waiter) => waiter.count > this.settledCount);
    for (const waiter of due) waiter.resolve();
  }

  /** Resolves once `count` requests recorded since the last reset have been handled. */
  waitForSettled(count: number): Promise<void> {
    if (count <= this.settledCount) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Forgets every record; requests still in flight are not counted afterwards. */
  reset(): void {
    this.entries = [];
    this.openRecords = new WeakSet();
    this.settledRecords = new WeakSet();
    this.settledCount = 0;
  }
}
