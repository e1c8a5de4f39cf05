import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import { kindOfCode } from '../bitrix24/error-codes';
import { CATALOGUE } from './localised-error';
import type { PortalState, PortalStateListener } from './portal-node';

// While calls are in flight the count changes with every message; the editor needs it a few times a second at most.
const BUSY_UPDATE_INTERVAL_MS = 250;

type Look = Pick<NodeStatus, 'fill' | 'shape'> & { key: string; params?: Record<string, number> };

/**
 * The one status writer of a node that calls the portal. What it shows, first match wins: the node cannot work at all
 * (no portal); a state the portal owns (re-authorise, unusable), which no call result may hide; how many of the node's
 * messages wait or are in flight; how the last call ended. Every text is a catalogue key, never a raw code. A change of
 * state shows at once; changes of the count while busy are throttled.
 */
export class CallStatus implements PortalStateListener {
  private own: Look | undefined;
  private portal: Look | undefined;
  private last: Look | undefined;
  private shownKey = '';
  private shownAt = 0;
  private trailing: NodeJS.Timeout | undefined;

  /** The status of `node`; `pending` is the node's own count of messages not yet ended; `successKey` its success text. */
  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly pending: () => number,
    private readonly successKey: string,
  ) {}

  /** The node itself cannot work until redeployed (its portal is missing, say). */
  unusable(code: string): void {
    this.own = failureLook(code);
    this.show();
  }

  portalStateChanged(state: PortalState): void {
    if (state.kind === 'ready') this.portal = undefined;
    else if (state.kind === 'reauth') this.portal = { fill: 'red', shape: 'ring', key: 'status.reauth' };
    else if (state.kind === 'shared-down') this.portal = { fill: 'yellow', shape: 'ring', key: 'status.sharedDown' };
    else this.portal = failureLook(state.code);
    this.show();
  }

  /** The count of messages changed (one went to the portal's queue, or one ended). */
  counted(): void {
    this.show();
  }

  /** The last call ended well. */
  succeeded(): void {
    this.last = { fill: 'green', shape: 'dot', key: `status.${this.successKey}` };
    this.show();
  }

  /** The last message failed with `error`. */
  failed(error: Bitrix24Error): void {
    this.last = error.ambiguous ? { fill: 'yellow', shape: 'ring', key: 'status.failed.ambiguous' } : failureLook(error.code, error.statusCode);
    this.show();
  }

  /** Clears the status, as a closed node must not keep showing an old state. */
  clear(): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    this.shownKey = '';
    this.node.status({});
  }

  private show(): void {
    const fixed = this.own ?? this.portal;
    const count = this.pending();
    if (fixed !== undefined || count === 0) {
      this.render(fixed ?? this.last);
      return;
    }
    const busy = this.shownKey.startsWith('status.sending');
    if (!busy || Date.now() - this.shownAt >= BUSY_UPDATE_INTERVAL_MS) {
      this.render({ fill: 'blue', shape: 'dot', key: 'status.sending', params: { count } });
    } else if (this.trailing === undefined) {
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        if (this.pending() > 0) this.show();
      }, BUSY_UPDATE_INTERVAL_MS);
    }
  }

  private render(look: Look | undefined): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    const key = look === undefined ? '' : `${look.key}:${look.params?.count ?? ''}`;
    // Under load the same status would be sent to every open editor again and again: only changes go out.
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.shownAt = Date.now();
    // The text is looked up only when shown: most updates under load are throttled away before this point.
    this.node.status(look === undefined ? {} : { fill: look.fill, shape: look.shape, text: this.RED._(`${CATALOGUE}.${look.key}`, look.params ?? {}) });
  }
}

/** How a failure of `code` looks: red, and the catalogue's few words for its kind. */
function failureLook(code: string, statusCode?: number): Look {
  return { fill: 'red', shape: 'ring', key: `status.failed.${kindOfCode(code, statusCode)}` };
}
