import { Bitrix24Error, nodeClosedError } from '../errors';
import type { QueuedCall } from './call-queue';

/** The error a call withdrawn by `signal` ends with: the signal's own reason when it is ours, else NODE_CLOSED. */
export function abortError(signal: AbortSignal): Bitrix24Error {
  return signal.reason instanceof Bitrix24Error ? signal.reason : nodeClosedError();
}

/**
 * Ends the waiting calls of a signal when it aborts (a node closing withdraws its calls). One listener per signal, for
 * all the calls made with it: a listener per call would make each of 100,000 waiting calls cost O(n) to remove.
 */
export class AbortWatch {
  private readonly callsBySignal = new WeakMap<AbortSignal, Set<QueuedCall>>();

  /** `withdraw` ends a call that still waits; a call already sent cannot be taken back. */
  constructor(private readonly withdraw: (call: QueuedCall, error: Bitrix24Error) => void) {}

  /** Watches `signal` for `call`, which leaves the watch when it settles (`call.watchers`). */
  watch(signal: AbortSignal, call: QueuedCall): void {
    let calls = this.callsBySignal.get(signal);
    if (calls === undefined) {
      const watched = new Set<QueuedCall>();
      calls = watched;
      this.callsBySignal.set(signal, watched);
      signal.addEventListener(
        'abort',
        () => {
          for (const waiting of [...watched]) if (waiting.state === 'queued') this.withdraw(waiting, abortError(signal));
          watched.clear();
        },
        { once: true },
      );
    }
    calls.add(call);
    call.watchers = calls;
  }
}
