// Injected transport faults: what proxies, maintenance pages, flaky networks and slow portals do to a client. Each
// queued fault applies to the next matching REST request(s); requests to the log page and the emulator's own API are
// never affected.

import { normaliseMethodName } from './rest-params';

/** One fault, as a test or demo injects it. */
export type Fault =
  /** Answer this status with this JSON body, without executing. */
  | { type: 'status'; status: number; body?: unknown }
  /** An HTML error page (like a proxy or maintenance page), not executed. */
  | { type: 'html'; status: number }
  /** A truncated JSON body, not executed. */
  | { type: 'malformed-json'; status?: number }
  /** Destroy the socket before executing. */
  | { type: 'reset-before' }
  /** Execute (the line IS written), then destroy the socket without answering. */
  | { type: 'lost-after' }
  /** Execute, then answer after `ms` of real time. */
  | { type: 'delay'; ms: number }
  /** Answer a redirect without executing. */
  | { type: 'redirect'; status: 301 | 302; location: string };

/** Which requests a fault applies to, and how many times. */
export interface FaultOptions {
  /** Only requests of this REST method (e.g. 'batch', 'bizproc.activity.log'); default: any. */
  method?: string;
  /** How many requests; default 1. */
  times?: number;
}

interface QueuedFault {
  fault: Fault;
  method: string | undefined;
  remaining: number;
}

/** Faults waiting for requests, first injected first applied. */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  /** Queues a fault after checking it, so a bad fault fails the test that injects it, not a later request. */
  add(fault: Fault, options: FaultOptions = {}): void {
    checkFault(fault);
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
    const method = options.method === undefined ? undefined : normaliseMethodName(options.method);
    this.queue.push({ fault, method, remaining: times });
  }

  /** Takes the first fault that applies to a request of `restMethod`, if any. */
  take(restMethod: string): Fault | undefined {
    const index = this.queue.findIndex((entry) => entry.method === undefined || entry.method === restMethod);
    const entry = this.queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.queue = [];
  }
}

function checkFault(fault: Fault): void {
  switch (fault.type) {
    case 'status':
    case 'html':
      checkStatus(fault.status);
      return;
    case 'malformed-json':
      if (fault.status !== undefined) checkStatus(fault.status);
      return;
    case 'delay':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) throw new RangeError(`delay ms must be >= 0, got ${fault.ms}`);
      return;
    case 'redirect':
      if (fault.status !== 301 && fault.status !== 302) throw new RangeError('redirect status must be 301 or 302');
      // A CR or LF would split the header; Node would throw mid-request instead.
      if (typeof fault.location !== 'string' || fault.location === '' || /[\r\n]/.test(fault.location)) {
        throw new RangeError('redirect location must be a non-empty single-line string');
      }
      return;
    case 'reset-before':
    case 'lost-after':
      return;
    default:
      throw new RangeError(`unknown fault type ${String((fault as { type: unknown }).type)}`);
  }
}

function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`status must be 200..599, got ${status}`);
}
