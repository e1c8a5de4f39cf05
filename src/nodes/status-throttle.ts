import type { Node, NodeStatus } from 'node-red';

/**
 * Sets a node's status at most once per interval: the first change shows at once, later ones within the interval are
 * folded into one update at its end, so a burst of requests does not flood every open editor with status events.
 */
export class StatusThrottle {
  private lastShownAt = Number.NEGATIVE_INFINITY;
  private pending: NodeStatus | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: Node,
    private readonly intervalMs = 500,
  ) {}

  /** Shows `status` now, or at the end of the current interval if one was shown less than an interval ago. */
  set(status: NodeStatus): void {
    const wait = this.lastShownAt + this.intervalMs - Date.now();
    if (wait <= 0 && this.timer === undefined) {
      this.show(status);
      return;
    }
    this.pending = status;
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), Math.max(0, wait));
  }

  /** Clears the status at once and drops any update still waiting, as a closed node must show nothing. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.node.status({});
  }

  private flush(): void {
    this.timer = undefined;
    const status = this.pending;
    this.pending = undefined;
    if (status !== undefined) this.show(status);
  }

  private show(status: NodeStatus): void {
    this.lastShownAt = Date.now();
    this.node.status(status);
  }
}
