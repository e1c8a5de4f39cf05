// How a portal's queue learns when its next request may go. Alone on a portal the queue's own LeakyBucket answers at
// once; several processes on one portal share one bucket (in Redis), whose answer takes a round trip: then the
// admission says "pending" and wakes the queue when it knows. Either way the queue composes its batch only once a
// request may go, so calls that arrive meanwhile still share it.

/** What `delayUntilFree` answers while it waits for a shared bucket's answer: the admission will wake the queue. */
export const ADMISSION_PENDING = -1;

/** What a shared admission tells the queue it serves. */
export interface AdmissionListener {
  /** An answer the queue waited for has come: look again. */
  wake(): void;
  /** Another process met `method`'s operating-time limit (429): hold it here too, for `ms`. */
  hold(method: string, ms: number): void;
}

/** Decides when the portal may take one more request of this queue. */
export interface Admission {
  /** Milliseconds until one more request may go (0: now), or ADMISSION_PENDING while an answer is awaited. */
  delayUntilFree(now: number): number;
  /** Counts one request sent now; called right after `delayUntilFree` answered 0. */
  take(now: number): void;
  /** The portal refused a request for its limit (503 QUERY_LIMIT_EXCEEDED): its bucket is full, whatever ours says. */
  markFull(now: number): void;
  /** The portal holds `method` (429 OPERATION_TIME_LIMIT) for `ms`: tell the others, if there are any. */
  held?(method: string, ms: number): void;
  /** Connects the admission to its queue, for admissions that answer later. */
  attach?(listener: AdmissionListener): void;
}
