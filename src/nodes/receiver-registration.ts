// The registration of a receiver's activity or robot, from Node-RED's side: the definition saved in the receiver node,
// the HANDLER on the portal's public address, the portal's queue (an OAuth application's: nothing else may register),
// and the fingerprint of what was last registered, kept per portal, kind and code in the package's encrypted store,
// so a deploy that changes nothing makes no call at all (bizproc.*.list answers codes only: nothing else could tell).

import type { NodeAPI } from 'node-red';
import { Bitrix24Error, RestCaller } from '../bitrix24';
import { ActivityDefinition, ActivityKind, INVALID_ACTIVITY_DEFINITION, validateActivityDefinition } from '../bitrix24/bizproc/activity-definition';
import {
  addOrUpdate,
  deleteRegistration,
  RegistrationMemory,
  RegistrationOutcome,
  registrationFingerprint,
  registrationParams,
  syncRegistration,
} from '../bitrix24/bizproc/activity-registration';
import type { PortalNode } from './portal-node';
import { handlerUrlOf } from './public-url';
import { runtimeTokenStore } from './runtime-token-store';

/** The receiver's registration properties as saved in the flow: a public contract, flows depend on these names. */
export interface ReceiverRegistrationDef {
  /** `""`: not registered by the package; `"activity"` or `"robot"`. */
  registerAs?: string;
  code?: string;
  /** NAME: a text, or texts by language. */
  activityName?: unknown;
  description?: unknown;
  /** PROPERTIES and RETURN_PROPERTIES, keyed by property code, with Bitrix24's member names. */
  properties?: unknown;
  returnProperties?: unknown;
  useSubscription?: string;
  /** Every deploy makes the portal's registration match the node. */
  keepRegistered?: boolean;
  url: string;
}

/** A registration ready to send: the checked definition, its HANDLER, and the portal's queue. */
export interface PreparedRegistration {
  definition: ActivityDefinition;
  handlerUrl: string;
  caller: RestCaller;
  /** The application on the portal (host and client id): a registration is the same only on the same one. */
  target: string;
  memory: RegistrationMemory & { forget(): Promise<void> };
}

/** Whether the receiver asks the package to register it at all. */
export function registersItself(def: ReceiverRegistrationDef): boolean {
  return def.registerAs === 'activity' || def.registerAs === 'robot';
}

/** The receiver's definition, checked; throws INVALID_ACTIVITY_DEFINITION. */
export function definitionOfReceiver(def: ReceiverRegistrationDef): ActivityDefinition {
  return validateActivityDefinition({
    kind: def.registerAs,
    code: def.code,
    name: def.activityName,
    description: def.description,
    properties: def.properties,
    returnProperties: def.returnProperties,
    useSubscription: def.useSubscription,
  });
}

/**
 * The portal's queue for registration calls. Only an OAuth application's own tokens can register: a webhook is refused
 * by Bitrix24 (ACCESS_DENIED "Application context required"), and auth carried by messages has no token of its own at
 * deploy time. Throws NO_PORTAL, the portal's configuration error, or REGISTRATION_NEEDS_APPLICATION before any call.
 */
export function registrationCaller(portal: PortalNode | null): { caller: RestCaller; target: string } {
  if (portal === null) throw new Bitrix24Error('NO_PORTAL', 'No Bitrix24 portal is configured for this node.');
  const caller = portal.queue();
  if (portal.oauth === undefined) {
    throw new Bitrix24Error('REGISTRATION_NEEDS_APPLICATION', 'Only a portal set up as an OAuth application can register activities and robots.', {
      reason: portal.usesMessageAuth ? 'message' : 'webhook',
    });
  }
  return { caller, target: `${portal.oauth.host} ${portal.credentials?.clientId?.trim() ?? ''}` };
}

/** The store key of the fingerprint of one registration. */
function memoryKey(portalId: string, kind: ActivityKind, code: string): string {
  return `registration/${portalId}/${kind}/${code}`;
}

/**
 * The fingerprint memory of one registration. A store that cannot be used (no user directory or credential secret,
 * an unreadable file) does not stop a registration: it is then made as if nothing were known (add, or update), and
 * `onProblem` hears why nothing could be remembered.
 */
export function registrationMemory(
  RED: NodeAPI,
  portalId: string,
  kind: ActivityKind,
  code: string,
  onProblem: (error: unknown) => void,
): RegistrationMemory & { forget(): Promise<void> } {
  const key = memoryKey(portalId, kind, code);
  return {
    async read() {
      try {
        return await runtimeTokenStore(RED).read(key);
      } catch (error) {
        onProblem(error);
        return undefined;
      }
    },
    async write(fingerprint) {
      try {
        await runtimeTokenStore(RED).write(key, fingerprint);
      } catch (error) {
        onProblem(error);
      }
    },
    async forget() {
      try {
        await runtimeTokenStore(RED).remove(key);
      } catch (error) {
        onProblem(error);
      }
    },
  };
}

/** Everything a registration call needs, checked in the order a user fixes things: definition, portal, address. */
export function prepareRegistration(RED: NodeAPI, portal: PortalNode | null, def: ReceiverRegistrationDef, onProblem: (error: unknown) => void): PreparedRegistration {
  const definition = definitionOfReceiver(def);
  // Without a path the HANDLER would be the bare public address: some other route, or none.
  if (typeof def.url !== 'string' || def.url.trim().replace(/^\/+/, '') === '') {
    throw new Bitrix24Error(INVALID_ACTIVITY_DEFINITION, 'The receiver has no URL, so there is no handler to register.', { reason: 'url', field: 'url', description: 'url' });
  }
  const { caller, target } = registrationCaller(portal);
  const handlerUrl = handlerUrlOf(portal?.publicUrl, def.url);
  return { definition, handlerUrl, caller, target, memory: registrationMemory(RED, portal?.id ?? '', definition.kind, definition.code, onProblem) };
}

// One registration of a portal, kind and code at a time: a redeploy's new node waits for the old node's call.
const inFlight = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.catch(() => undefined);
  inFlight.set(key, settled);
  void settled.then(() => {
    if (inFlight.get(key) === settled) inFlight.delete(key);
  });
  return run;
}

/** Makes the portal's registration match the prepared one: no call when nothing changed since the last one. */
export function keepRegistered(prepared: PreparedRegistration, portalId: string): Promise<RegistrationOutcome> {
  const { definition, handlerUrl, caller, target, memory } = prepared;
  const params = registrationParams(definition, handlerUrl);
  return oneAtATime(memoryKey(portalId, definition.kind, definition.code), () => syncRegistration(caller, definition.kind, target, params, memory));
}

/** Adds or updates the registration now, whatever was remembered (the dialog's Register button). */
export function registerNow(prepared: PreparedRegistration, portalId: string): Promise<'added' | 'updated'> {
  const { definition, handlerUrl, caller, target, memory } = prepared;
  const params = registrationParams(definition, handlerUrl);
  return oneAtATime(memoryKey(portalId, definition.kind, definition.code), async () => {
    const outcome = await addOrUpdate(caller, definition.kind, params);
    await memory.write(registrationFingerprint(definition.kind, target, params));
    return outcome;
  });
}

/** Deletes the registration of `code` and forgets its fingerprint; resolves false when the portal had none. */
export function removeRegistration(RED: NodeAPI, portal: PortalNode | null, kind: ActivityKind, code: string, onProblem: (error: unknown) => void): Promise<boolean> {
  const { caller } = registrationCaller(portal);
  const memory = registrationMemory(RED, portal?.id ?? '', kind, code, onProblem);
  return oneAtATime(memoryKey(portal?.id ?? '', kind, code), async () => {
    // Forgotten first: should the delete fail half-way, the next deploy registers again rather than trust a ghost.
    await memory.forget();
    return deleteRegistration(caller, kind, code);
  });
}
