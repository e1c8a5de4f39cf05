// The editor's registration buttons, as admin endpoints (bitrix24-portal.write, JSON only), each through the deployed
// portal's queue, so a registration shares the portal's rate limit and token refresh with every other call:
//   POST /bitrix24-bizproc-activity-in/register    the receiver dialog's definition, added or updated now
//   POST /bitrix24-bizproc-activity-in/unregister  {portal, registerAs, code}: deleted (the dialog confirmed first)
//   POST /bitrix24-portal/registrations            {id}: the codes this application registered on the portal, which
//                                                  deployed receiver serves each, and the receivers not registered
// Answers are JSON: `{ok: true, ...}`, or `{ok: false, code, message}` for anything Bitrix24 or the checks refused.

import type { Request, Response } from 'express';
import type { NodeAPI, NodeDef } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import { ActivityKind, validateActivityCode, validateActivityKind } from '../bitrix24/bizproc/activity-definition';
import { listRegistrations } from '../bitrix24/bizproc/activity-registration';
import { jsonOnly } from './json-only';
import { CATALOGUE, localiseError } from './localised-error';
import type { PortalNode } from './portal-node';
import { prepareRegistration, ReceiverRegistrationDef, registerNow, registersItself, registrationCaller, removeRegistration } from './receiver-registration';

/** The endpoints' paths under the editor's admin root. */
export const REGISTRATION_PATHS = {
  register: '/bitrix24-bizproc-activity-in/register',
  unregister: '/bitrix24-bizproc-activity-in/unregister',
  list: '/bitrix24-portal/registrations',
} as const;

const RECEIVER_TYPE = 'bitrix24-bizproc-activity-in';
const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A deployed receiver, as the portal dialog lists it. */
interface ServingNode {
  id: string;
  name: string;
  flow: string;
}

/** One registered (or expected) code and the receivers that serve it. */
interface RegistrationEntry {
  kind: ActivityKind;
  code: string;
  nodes: ServingNode[];
}

type ReceiverDef = NodeDef & ReceiverRegistrationDef & { portal?: string };

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The deployed portal node with this id; DEPLOY_FIRST when there is none (its queue is what the calls go through). */
function deployedPortal(RED: NodeAPI, id: unknown): PortalNode {
  const portalId = text(id);
  const node = NODE_ID.test(portalId) ? (RED.nodes.getNode(portalId) as PortalNode | null) : null;
  if (node === null || node.type !== 'bitrix24-portal') {
    throw new Bitrix24Error('DEPLOY_FIRST', 'Deploy the portal node first: registrations go through the deployed portal.', { reason: 'portal' });
  }
  return node;
}

/** The failure answer: the code, and the runtime's text for it (the dialog prefers the browser's own catalogue). */
function failure(RED: NodeAPI, error: Bitrix24Error): Record<string, unknown> {
  const answer: Record<string, unknown> = { ok: false, code: error.code, message: localiseError(RED, error) };
  if (error.reason !== undefined) answer.reason = error.reason;
  if (error.statusCode !== undefined) answer.statusCode = error.statusCode;
  if (error.description !== undefined) answer.description = error.description;
  return answer;
}

/** Runs one endpoint's work: every Bitrix24Error becomes an answer, anything else a 500 without its text. */
function answer(RED: NodeAPI, res: Response, work: () => Promise<Record<string, unknown>>): void {
  let running: Promise<Record<string, unknown>>;
  try {
    running = work();
  } catch (error) {
    running = Promise.reject(error);
  }
  running
    .then(
      (result) => res.json({ ok: true, ...result }),
      (error: unknown) => {
        if (error instanceof Bitrix24Error) {
          res.json(failure(RED, error));
          return;
        }
        // Only the error's class: its text could hold what the dialog sent.
        RED.log.warn(`${RED._(`${CATALOGUE}.registration.failed`)} (${error instanceof Error ? error.name : typeof error})`);
        res.status(500).json({ ok: false, code: 'INTERNAL_ERROR', message: RED._(`${CATALOGUE}.registration.failed`) });
      },
    )
    // The browser may have gone: Node-RED 4 exits on an unhandled rejection.
    .catch(() => undefined);
}

/** Every deployed receiver of the portal, with its flow's label. */
function receiversOf(RED: NodeAPI, portalId: string): Array<{ def: ReceiverDef; node: ServingNode }> {
  const flows = new Map<string, string>();
  const receivers: ReceiverDef[] = [];
  RED.nodes.eachNode((node) => {
    if (node.type === 'tab') flows.set(node.id, text((node as NodeDef & { label?: unknown }).label));
    else if (node.type === RECEIVER_TYPE && (node as ReceiverDef).portal === portalId) receivers.push(node as ReceiverDef);
  });
  return receivers.map((def) => ({ def, node: { id: def.id, name: text(def.name) || text(def.url), flow: flows.get(def.z) ?? '' } }));
}

/** Registers the three endpoints on Node-RED's admin app. */
export function registerRegistrationRoutes(RED: NodeAPI): void {
  const permission = RED.auth.needsPermission('bitrix24-portal.write');
  const problems = (error: unknown): void => {
    RED.log.warn(`${RED._(`${CATALOGUE}.registration.noFingerprints`)} (${error instanceof Bitrix24Error ? error.code : 'INTERNAL_ERROR'})`);
  };

  RED.httpAdmin.post(REGISTRATION_PATHS.register, permission, jsonOnly, (req: Request, res: Response) => {
    answer(RED, res, async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const portal = deployedPortal(RED, body.portal);
      const def: ReceiverRegistrationDef = {
        registerAs: text(body.registerAs),
        code: text(body.code),
        activityName: body.activityName,
        description: body.description,
        properties: body.properties,
        returnProperties: body.returnProperties,
        useSubscription: text(body.useSubscription),
        url: text(body.url),
      };
      const prepared = prepareRegistration(RED, portal, def, problems);
      const outcome = await registerNow(prepared, portal.id);
      return { outcome, kind: prepared.definition.kind, code: prepared.definition.code, handlerUrl: prepared.handlerUrl };
    });
  });

  RED.httpAdmin.post(REGISTRATION_PATHS.unregister, permission, jsonOnly, (req: Request, res: Response) => {
    answer(RED, res, async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const portal = deployedPortal(RED, body.portal);
      const kind = validateActivityKind(body.registerAs);
      const code = validateActivityCode(body.code);
      const removed = await removeRegistration(RED, portal, kind, code, problems);
      return { outcome: removed ? 'removed' : 'absent', kind, code };
    });
  });

  RED.httpAdmin.post(REGISTRATION_PATHS.list, permission, jsonOnly, (req: Request, res: Response) => {
    answer(RED, res, async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const portal = deployedPortal(RED, body.id);
      const { caller } = registrationCaller(portal);
      const [activities, robots] = await Promise.all([listRegistrations(caller, 'activity'), listRegistrations(caller, 'robot')]);
      const receivers = receiversOf(RED, portal.id);
      // A receiver that the package does not register may still serve a code registered by hand: it counts too.
      const servedBy = (kind: ActivityKind, code: string): ServingNode[] =>
        receivers.filter(({ def }) => text(def.code) === code && (def.registerAs === kind || !registersItself(def))).map(({ node }) => node);
      const entries = (kind: ActivityKind, codes: string[]): RegistrationEntry[] => codes.map((code) => ({ kind, code, nodes: servedBy(kind, code) }));
      const registered = { activity: new Set(activities), robot: new Set(robots) };
      const missing: RegistrationEntry[] = [];
      for (const { def, node } of receivers) {
        if (!registersItself(def) || text(def.code) === '') continue;
        const kind = def.registerAs as ActivityKind;
        if (!registered[kind].has(text(def.code))) missing.push({ kind, code: text(def.code), nodes: [node] });
      }
      return { activities: entries('activity', activities), robots: entries('robot', robots), missing };
    });
  });
}
