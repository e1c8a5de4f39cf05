// Runs one REST command, from a plain call or from inside `batch`, through the same gates the portal applies per
// method: does it exist, does the webhook have its scope, is its operating-time budget left; then charges the budget.

import { Clock } from './clock';
import { PagedResult } from './crm-deals';
import { OperatingBudget, OperatingSnapshot } from './operating-budget';
import { buildResponseTime, ResponseTime } from './response-time';
import { RestError, restErrors } from './rest-error';
import { CallerContext, RestMethod } from './rest-methods';

/** The result of one command: its value and `time` (and a list's `total` and `next`), or the error it was answered with. */
export type CommandOutcome = { ok: true; result: unknown; time: ResponseTime; total?: number; next?: number } | { ok: false; error: RestError };

/** Runs single commands against the method table. */
export class CommandRunner {
  /** A runner over `methods`; `operatingBudget` is read on each call because it may be absent. */
  constructor(
    private readonly methods: ReadonlyMap<string, RestMethod>,
    private readonly scopes: ReadonlySet<string>,
    private readonly clock: Clock,
    private readonly operatingBudget: OperatingBudget | undefined,
  ) {}

  /** Runs `method` (lower-case) with upper-cased `params` for `caller`; never throws. */
  run(method: string, params: Record<string, unknown>, caller: CallerContext): CommandOutcome {
    const handler = this.methods.get(method);
    if (!handler) return { ok: false, error: restErrors.methodNotFound() };
    if (handler.scope !== undefined && !this.scopes.has(handler.scope)) return { ok: false, error: restErrors.insufficientScope() };
    const start = this.clock.now();
    if (this.operatingBudget && !this.operatingBudget.admits(method, start)) {
      return { ok: false, error: restErrors.operationTimeLimit() };
    }
    // The call ran (even if it fails), so it used server time.
    this.operatingBudget?.charge(method, start);
    try {
      const result = handler.run(params, start, caller);
      const finish = this.clock.now();
      const time = buildResponseTime(start, finish, this.operatingOf(method, finish));
      if (!(result instanceof PagedResult)) return { ok: true, result, time };
      return { ok: true, result: result.items, time, total: result.total, ...(result.next === undefined ? {} : { next: result.next }) };
    } catch (error) {
      return { ok: false, error: error instanceof RestError ? error : restErrors.internal() };
    }
  }

  /** The operating usage of `method` at `now`; zero usage resetting now when accounting is off. */
  operatingOf(method: string, now: number): OperatingSnapshot {
    return this.operatingBudget ? this.operatingBudget.snapshot(method, now) : { usedSeconds: 0, resetAtMs: now };
  }
}
