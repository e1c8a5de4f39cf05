import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { CATALOGUE } from './localised-error';

/**
 * A node's status for calls to the portal: how many are in flight, else how the last one ended. Texts are i18n keys
 * of the shared catalogue, so the editor shows them in the user's language.
 */
export class RequestStatus {
  private inFlight = 0;
  private last: NodeStatus = {};

  constructor(
    private readonly node: Node,
    private readonly RED: NodeAPI,
  ) {}

  /** A call has started. */
  started(): void {
    this.inFlight += 1;
    this.show();
  }

  /** A call ended well; `statusKey` names the shared catalogue's text for it (`ok`: "logged"). */
  succeeded(statusKey = 'ok'): void {
    this.settle({ fill: 'green', shape: 'dot', text: this.RED._(`${CATALOGUE}.status.${statusKey}`) });
  }

  /** A call, or the input before it, failed with `code`. */
  failed(code: string, started: boolean): void {
    this.settle({ fill: 'red', shape: 'ring', text: code }, started);
  }

  /** The node cannot work at all (for example its portal is misconfigured). */
  unusable(code: string): void {
    this.last = { fill: 'red', shape: 'ring', text: code };
    this.show();
  }

  /** Clears the status, as a closed node must not keep showing an old state. */
  clear(): void {
    this.inFlight = 0;
    this.last = {};
    this.node.status({});
  }

  private settle(outcome: NodeStatus, started = true): void {
    if (started && this.inFlight > 0) this.inFlight -= 1;
    this.last = outcome;
    this.show();
  }

  private show(): void {
    if (this.inFlight > 0) {
      this.node.status({
        fill: 'blue',
        shape: 'dot',
        text: this.RED._(`${CATALOGUE}.status.sending`, { count: this.inFlight }),
      });
    } else {
      this.node.status(this.last);
    }
  }
}
