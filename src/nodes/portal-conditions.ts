// A portal has more than one source of news for its nodes: its authorisation (re-authorise, or fine again) and, with a
// Redis URL, its shared state (out of reach, or back). The nodes show one state: the most pressing of them.

import type { PortalStateBroadcast } from './portal-connections';

/** The conditions a portal reports, told to its nodes as one state: re-authorise first, then Redis out of reach. */
export class PortalConditions {
  private reauthorise = false;
  private sharedDown = false;

  constructor(private readonly broadcast: PortalStateBroadcast) {}

  /** The authorisation needs the user (true), or works again (false). */
  reauthorisation(required: boolean): void {
    this.reauthorise = required;
    this.publish();
  }

  /** The shared state in Redis is reachable (true) or not (false). */
  shared(up: boolean): void {
    this.sharedDown = !up;
    this.publish();
  }

  private publish(): void {
    if (this.reauthorise) this.broadcast.change({ kind: 'reauth' });
    else if (this.sharedDown) this.broadcast.change({ kind: 'shared-down' });
    else this.broadcast.change({ kind: 'ready' });
  }
}
