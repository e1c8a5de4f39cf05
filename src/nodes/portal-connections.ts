// A portal's connection (its queue with the calls waiting and in flight, its authorisation with the OAuth tokens it
// holds, the state it tells its nodes) outlives a redeploy that keeps the portal node with the same settings: the old
// instance parks it while closing, the new one with the same id adopts it, and the calls go on under the same limit.
// What no instance adopts by the time the new flows run is closed as the portal would have closed it.

import { createHash } from 'node:crypto';
import type { NodeAPI, NodeDef } from 'node-red';
import type { BatchDispatcher, RequestAuth } from '../bitrix24';
import type { PortalConditions } from './portal-conditions';
import type { PortalState, PortalStateListener } from './portal-node';
import type { SharedPortalState } from './portal-shared-state';

/** The state a portal tells the nodes registered with it, and those nodes. */
export class PortalStateBroadcast {
  private state: PortalState = { kind: 'ready' };
  private readonly listeners = new Set<PortalStateListener>();

  /** Tells every listener the portal's new state. */
  change(state: PortalState): void {
    this.state = state;
    for (const listener of this.listeners) listener.portalStateChanged(state);
  }

  /** Adds a listener, telling it the state now. */
  add(listener: PortalStateListener): void {
    this.listeners.add(listener);
    listener.portalStateChanged(this.state);
  }

  /** Removes a listener. */
  remove(listener: PortalStateListener): void {
    this.listeners.delete(listener);
  }

  /** Forgets every listener (the instance they registered with closed). */
  clear(): void {
    this.listeners.clear();
  }
}

/** What a portal instance runs on, and may hand to the instance that replaces it. */
export interface PortalConnection {
  /** Identifies the settings and credentials the connection was built from. */
  fingerprint: string;
  queue: BatchDispatcher;
  auth: RequestAuth;
  broadcast: PortalStateBroadcast;
  /** What the portal's authorisation and shared state report, combined into the broadcast's state. */
  conditions: PortalConditions;
  /** With a Redis URL: what the connection shares with the other instances on the portal. */
  shared?: SharedPortalState;
}

/** Closes a connection: its queue within `graceMs`, then its shared state (it leaves the shared bucket). */
export async function closeConnection(connection: PortalConnection, graceMs: number): Promise<void> {
  try {
    await connection.queue.close(graceMs);
  } finally {
    await connection.shared?.close();
  }
}

// Every saved setting a portal's client and queue are built from; its name and position are not among them.
const CONNECTION_SETTINGS = ['authType', 'portalUrl', 'authServer', 'tokenStore', 'rateLimit', 'burst', 'drainRate', 'maxQueue', 'maxWait', 'timeout', 'retryAmbiguous'];

/** A digest of what a portal's connection is built from: its connection settings and its (raw) credentials. */
export function fingerprintOf(def: Readonly<NodeDef>, credentials: unknown): string {
  const saved = def as unknown as Readonly<Record<string, unknown>>;
  const settings = CONNECTION_SETTINGS.map((name) => [name, saved[name] ?? null]);
  const secrets = credentials !== null && typeof credentials === 'object' ? Object.entries(credentials).sort(([a], [b]) => a.localeCompare(b)) : [];
  return createHash('sha256').update(JSON.stringify([def.type, settings, secrets])).digest('hex');
}

/** The connections parked by closing portal instances of one runtime, by portal id. */
export class ParkedConnections {
  private readonly parked = new Map<string, PortalConnection>();

  private constructor() {}

  /** The parked connections of this runtime. */
  static of(RED: NodeAPI): ParkedConnections {
    let parked = runtimes.get(RED);
    if (parked === undefined) {
      parked = new ParkedConnections();
      runtimes.set(RED, parked);
    }
    return parked;
  }

  /** Keeps `connection` for the instance the deploy starts in place of portal `id`. */
  park(id: string, connection: PortalConnection): void {
    this.parked.set(id, connection);
  }

  /** The connection parked for portal `id` if it was built as `fingerprint` says; undefined otherwise. */
  adopt(id: string, fingerprint: string): PortalConnection | undefined {
    const connection = this.parked.get(id);
    if (connection === undefined || connection.fingerprint !== fingerprint) return undefined;
    this.parked.delete(id);
    return connection;
  }

  /** Takes every connection nobody adopted, to be closed. */
  takeUnadopted(): PortalConnection[] {
    const left = [...this.parked.values()];
    this.parked.clear();
    return left;
  }
}

const runtimes = new WeakMap<NodeAPI, ParkedConnections>();
