import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { Bitrix24Error, nodeClosedError, redactSecrets } from '../bitrix24';
import { failureReporter } from './failure-output';
import { CATALOGUE } from './localised-error';
import { RequestStatus } from './request-status';

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

/** What a node's job gets for one message. */
export interface JobContext {
  /** Aborted when the node closes; pass it to the portal call so a waiting call is withdrawn. */
  signal: AbortSignal;
  /** Call when the input is valid and the call to the portal starts (the status counts it from then). */
  started(): void;
}

/** A node's work for one message: resolves with the portal's outcome, or rejects (or throws) with a Bitrix24Error. */
export type MessageJob<T> = (context: JobContext) => Promise<T>;

/** Writes a successful outcome into the message, once per node rather than a closure per message. */
export type ApplyOutcome<T> = (msg: NodeMessage, outcome: T) => void;

/** How long a closing node lets its calls finish, below Node-RED's 15 s close timeout. */
export const CLOSE_GRACE_MS = 10_000;

/** The close grace: `bitrix24PortalCloseGrace` (ms) in settings.js, else 10 s. */
export function closeGraceOf(RED: NodeAPI): number {
  const setting = (RED.settings as unknown as Record<string, unknown>).bitrix24PortalCloseGrace;
  return typeof setting === 'number' && setting >= 0 ? setting : CLOSE_GRACE_MS;
}
// After the grace, calls in flight get this much longer to answer before close gives up on them.
const CLOSE_IN_FLIGHT_MS = 3_000;

/**
 * The life of every message in a node that calls the portal: it leaves exactly once (output 1, output 2, or
 * done(err)), the status follows it, and on close the node stops taking input, lets its calls finish within the
 * grace, then ends the rest with NODE_CLOSED and says how many in one warning. Plain promise callbacks rather than
 * async functions: a suspended async frame per message would cost kilobytes with 100,000 messages queued.
 */
export class MessageLifecycle<T> {
  private readonly status: RequestStatus;
  private readonly report: ReturnType<typeof failureReporter>;
  private readonly controller = new AbortController();
  private readonly idleWaiters: Array<() => void> = [];
  private pending = 0;
  private closing = false;
  private endedByClose = 0;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly apply: ApplyOutcome<T>,
    private readonly sourceOf: (error: Bitrix24Error) => string = () => '',
    private readonly successStatus = 'ok',
  ) {
    this.status = new RequestStatus(node, RED);
    this.report = failureReporter(RED, node);
  }

  /** Shows that the node cannot work at all (no portal, say) until redeployed. */
  unusable(code: string): void {
    this.status.unusable(code);
  }

  /** Runs `job` for one input message and ends the message exactly once. */
  accept(msg: NodeMessageInFlow, send: Send, done: Done, job: MessageJob<T>): void {
    if (this.closing) {
      this.fail(msg, send, done, nodeClosedError(), false);
      return;
    }
    this.pending += 1;
    const progress = { started: false };
    let outcome: Promise<T>;
    try {
      outcome = job({
        signal: this.controller.signal,
        started: () => {
          progress.started = true;
          this.status.started();
        },
      });
    } catch (error) {
      outcome = Promise.reject(error);
    }
    void outcome
      .then(
        (result) => {
          this.succeed(msg, send, done, result, progress.started);
          this.leave();
        },
        (error: unknown) => {
          this.fail(msg, send, done, error, progress.started);
          this.leave();
        },
      )
      // Node-RED 4 exits on an unhandled rejection: a bug in the handlers above is logged, never fatal.
      .catch((error: unknown) => this.node.error(redactSecrets(error instanceof Error ? error.message : String(error))));
  }

  /** The node's close handler: see the class comment. */
  close(done: () => void): void {
    this.closing = true;
    const finish = (): void => {
      if (this.endedByClose > 0) {
        this.node.warn(this.RED._(`${CATALOGUE}.warnings.closedWithPending`, { count: this.endedByClose }));
      }
      this.status.clear();
      done();
    };
    void this.idleWithin(closeGraceOf(this.RED))
      .then((idle) => {
        if (idle) return true;
        this.controller.abort(nodeClosedError());
        return this.idleWithin(CLOSE_IN_FLIGHT_MS);
      })
      .then(finish, finish);
  }

  private succeed(msg: NodeMessage, send: Send, done: Done, result: T, started: boolean): void {
    try {
      this.apply(msg, result);
    } catch (error) {
      this.fail(msg, send, done, error, started);
      return;
    }
    this.status.succeeded(this.successStatus);
    send([msg, null]);
    done();
  }

  private fail(msg: NodeMessage, send: Send, done: Done, error: unknown, started: boolean): void {
    const failure = toBitrix24Error(error);
    this.status.failed(failure.code, started);
    if (failure.code === 'NODE_CLOSED') {
      // The flow is being torn down: nothing downstream should act on it, but Catch nodes still hear of it.
      this.endedByClose += 1;
      done(Object.assign(new Error(failure.message), { code: failure.code }));
      return;
    }
    this.report(failure, msg, send, done, this.sourceOf(failure));
  }

  private leave(): void {
    this.pending -= 1;
    if (this.pending === 0) for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  /** Resolves true once no message is pending, or false after `ms`. */
  private idleWithin(ms: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}


/** Anything thrown on the way (a bug included) becomes a Bitrix24Error, so the message still leaves the node. */
function toBitrix24Error(error: unknown): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  const detail = redactSecrets(error instanceof Error ? error.message : String(error));
  return new Bitrix24Error('INTERNAL_ERROR', `Unexpected internal error in the Bitrix24 node: ${detail}`, {
    description: detail,
  });
}
