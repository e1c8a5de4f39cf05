'use strict';
// Moves a ManualScheduler forward only when the code under test waits on time, never while a request is on the wire,
// so tests of the queue are exact and independent of machine load. Polling is bounded by a real-time deadline.

/** Resolves after pending I/O callbacks have had a turn. */
function ioTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs until `done()` is true: lets in-flight requests finish, and when nothing is in flight advances the scheduler
 * to its next timer. Fails after `deadlineMs` of real time, or when nothing is left to wait for.
 */
async function drive(scheduler, dispatcher, done, { deadlineMs = 10_000 } = {}) {
  const giveUpAt = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > giveUpAt) throw new Error('drive: gave up waiting (real-time deadline)');
    if (dispatcher.inFlight > 0) {
      await ioTurn();
      continue;
    }
    await ioTurn();
    if (done() || dispatcher.inFlight > 0) continue;
    const next = scheduler.nextTimerAt();
    if (next === undefined) {
      await ioTurn();
      if (!done() && dispatcher.inFlight === 0 && scheduler.nextTimerAt() === undefined) {
        throw new Error('drive: nothing in flight and no timer, but not done');
      }
      continue;
    }
    scheduler.advance(Math.max(0, next - scheduler.now()));
  }
}

/** Tracks a promise's outcome synchronously readable: { settled, value, error }. */
function track(promise) {
  const state = { settled: false, value: undefined, error: undefined };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

module.exports = { drive, track, ioTurn };
