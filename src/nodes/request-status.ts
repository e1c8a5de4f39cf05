import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { CATALOGUE } from './localised-error';

// While calls are in flight the count changes with every message; the editor needs it a few times a second at most.
const BUSY_UPDATE_INTERVAL_MS = 250;

/**
 * A node's status for calls to the portal: how many of its messages wait or are in flight, else how the last one
 * ended. A change of state shows at once; changes of the count while busy are throttled. Texts are i18n keys.
 */
export class RequestStatus {
  private pending = 0;
  private last: NodeStatus = {};
  private shown = '';
  private shownAt = 0;
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: Node,
    private readonly RED: NodeAPI,
  ) {}

  /** A call has started (it may wait in the portal's queue first). */
  started(): void {
    this.pending += 1;
    this.show();
  }

  /** A call ended well; `statusKey` names the shared catalogue's text for it (`ok`: "logged"). */
  succeeded(statusKey = 'ok'): void {
    this.settle({ fill: 'green', shape: 'dot', text: this.RED._(`${CATALOGUE}.status.${statusKey}`) }, true);
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
    clearTimeout(this.trailing);
    this.trailing = undefined;
    this.pending = 0;
    this.last = {};
    this.render({});
  }

  private settle(outcome: NodeStatus, started: boolean): void {
    if (started && this.pending > 0) this.pending -= 1;
    this.last = outcome;
    this.show();
  }

  private show(): void {
    if (this.pending === 0) {
      this.render(this.last);
      return;
    }
    const wasBusy = this.shown.startsWith('blue');
    const now = Date.now();
    if (!wasBusy || now - this.shownAt >= BUSY_UPDATE_INTERVAL_MS) {
      // The text is looked up only when shown: under load most updates are throttled away.
      this.render({ fill: 'blue', shape: 'dot', text: this.RED._(`${CATALOGUE}.status.sending`, { count: this.pending }) });
    } else if (this.trailing === undefined) {
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        if (this.pending > 0) this.show();
      }, BUSY_UPDATE_INTERVAL_MS);
    }
  }

  private render(status: NodeStatus): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    this.shown = `${status.fill ?? ''}:${status.text ?? ''}`;
    this.shownAt = Date.now();
    this.node.status(status);
  }
}
