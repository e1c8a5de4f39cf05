// What Node-RED is doing while nodes close: a deploy, which starts new flows right after (and which nodes they keep),
// or a stop of the flows (shutdown, or the editor's "stop flows"), after which nothing starts. Nodes need to know: a
// node the deploy keeps hands its work to its successor, and a stop drains as far as the grace allows.
//
// Node-RED tells it through `flows:stopping`, emitted before any close handler runs. During a deploy the event carries
// the new flows, and a diff computed by comparing the old and new flows (which has `globalConfigChanged` since
// Node-RED 3.1); a stop carries the running flows and a blank diff without it. On Node-RED 3.0 every close is read as
// a stop: the package then drains, as it always did.

import type { NodeAPI, NodeDef } from 'node-red';

interface StoppingEvent {
  config?: { flows?: unknown };
  diff?: Record<string, unknown>;
}

/** The deploy or stop in progress, as nodes closing now see it. */
export class DeployWatch {
  private next: Map<string, NodeDef> | undefined;
  private readonly startedCallbacks: Array<() => void> = [];

  private constructor(RED: NodeAPI) {
    RED.events.on('flows:stopping', (event: StoppingEvent) => {
      this.next = isDeploy(event) ? definitionsOf(event.config?.flows) : undefined;
    });
    RED.events.on('flows:started', () => {
      this.next = undefined;
      for (const callback of this.startedCallbacks.splice(0)) {
        // These run inside Node-RED's start of the flows: a failure of ours must not become one of Node-RED's.
        try {
          callback();
        } catch (error) {
          RED.log.warn(`bitrix24: after the deploy: ${error instanceof Error ? error.name : typeof error}`);
        }
      }
    });
  }

  /** The watch of this runtime (one per runtime, however many nodes ask). */
  static of(RED: NodeAPI): DeployWatch {
    let watch = watches.get(RED);
    if (watch === undefined) {
      watch = new DeployWatch(RED);
      watches.set(RED, watch);
    }
    return watch;
  }

  /** True while a deploy stops the old flows; false during a stop, and while flows run. */
  get deploying(): boolean {
    return this.next !== undefined;
  }

  /** During a deploy: the new flows' definition of node `id`, or undefined when they do not keep it. */
  nextDefinition(id: string): NodeDef | undefined {
    return this.next?.get(id);
  }

  /** Runs `callback` once the flows of the current deploy have started. */
  whenStarted(callback: () => void): void {
    this.startedCallbacks.push(callback);
  }
}

const watches = new WeakMap<NodeAPI, DeployWatch>();

function isDeploy(event: StoppingEvent): boolean {
  return event.diff !== undefined && Object.prototype.hasOwnProperty.call(event.diff, 'globalConfigChanged') && Array.isArray(event.config?.flows);
}

function definitionsOf(flows: unknown): Map<string, NodeDef> {
  const byId = new Map<string, NodeDef>();
  if (!Array.isArray(flows)) return byId;
  for (const node of flows as Array<Partial<NodeDef>>) {
    if (node !== null && typeof node === 'object' && typeof node.id === 'string' && typeof node.type === 'string') byId.set(node.id, node as NodeDef);
  }
  return byId;
}
