import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { ActivityRequest, INVALID_ACTIVITY_REQUEST } from '../bitrix24/bizproc/activity-request';
import type { RegistrationOutcome } from '../bitrix24/bizproc/activity-registration';
import {
  asBitrix24Error,
  decideActivityPost,
  DEFAULT_BODY_TIMEOUT_MS,
  EndpointOutcome,
  readHandlerBody,
  readHandlerBodyBytes,
  replyToActivityPost,
} from './activity-endpoint';
import { applicationTokensOf } from './application-tokens';
import type { PortalNode } from './portal-node';
import { claimEarlyBodies, fullRoutePath } from './early-body-read';
import { addPostRoute, normaliseRoutePath } from './http-route';
import { localiseError } from './localised-error';
import { keepRegistered, prepareRegistration, ReceiverRegistrationDef, registersItself } from './receiver-registration';
import { registerRegistrationRoutes } from './registration-routes';
import { StatusThrottle } from './status-throttle';

/** The receiver's properties as saved in the flow: a public contract, flows depend on these names. */
export interface ActivityInNodeDef extends NodeDef, ReceiverRegistrationDef {
  portal: string;
  url: string;
  captureApplicationToken?: boolean;
}

/** How the registration made on deploy stands: under way, or failed with a code (a success shows nothing extra). */
type RegistrationState = { kind: 'pending' } | { kind: 'failed'; code: string } | undefined;

/** Whether requests can be verified: a token is known, one is awaited from ONAPPINSTALL, none, or the store failed. */
type TokenState = 'ready' | 'awaiting-install' | 'no-token' | 'store-error';

const STATE_LOOK: Record<TokenState, { fill: NodeStatus['fill']; key: string }> = {
  ready: { fill: 'green', key: 'listening' },
  'awaiting-install': { fill: 'yellow', key: 'awaitingInstall' },
  'no-token': { fill: 'red', key: 'noToken' },
  'store-error': { fill: 'red', key: 'storeError' },
};

const NS = 'bitrix24-bizproc-activity-in';

/** `bitrix24ActivityInBodyTimeout` from settings.js (ms): how long a request's body may take to arrive. */
function bodyTimeoutOf(RED: NodeAPI): number {
  const setting = (RED.settings as unknown as Record<string, unknown>).bitrix24ActivityInBodyTimeout;
  return typeof setting === 'number' && Number.isFinite(setting) && setting > 0 ? setting : DEFAULT_BODY_TIMEOUT_MS;
}

/** The message for one accepted request: Bitrix24's field names, `payload` a copy of the properties. */
function activityMessage(request: ActivityRequest): NodeMessage {
  return {
    event_token: request.eventToken,
    workflow_id: request.workflowId,
    code: request.code,
    document_id: request.documentId,
    document_type: request.documentType,
    properties: request.properties,
    use_subscription: request.useSubscription,
    timeout_duration: request.timeoutDuration,
    auth: request.auth,
    payload: structuredClone(request.properties),
  };
}

export = function registerActivityInNode(RED: NodeAPI): void {
  function ActivityInNode(this: Node, def: ActivityInNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const portal = RED.nodes.getNode(def.portal) as PortalNode | null;
    const capture = def.captureApplicationToken === true;
    const tokens = applicationTokensOf(RED, portal, capture);
    const status = new StatusThrottle(node);
    const warned = new Set<string>();
    let accepted = 0;
    let refused = 0;
    let state: TokenState = 'ready';
    let registration: RegistrationState;

    function render(): void {
      const look = STATE_LOOK[state];
      const counts = { accepted, refused };
      if (registration?.kind === 'failed') {
        // A failed registration outlasts the counts: the portal will not send requests for this definition.
        const code = registration.code;
        const text = accepted + refused === 0 ? RED._(`${NS}.status.notRegistered`, { code }) : RED._(`${NS}.status.notRegisteredWithCounts`, { ...counts, code });
        status.set({ fill: 'red', shape: 'ring', text });
        return;
      }
      if (registration?.kind === 'pending' && accepted + refused === 0) {
        status.set({ fill: 'blue', shape: 'ring', text: RED._(`${NS}.status.registering`) });
        return;
      }
      let text: string;
      if (accepted + refused === 0) text = RED._(`${NS}.status.${look.key}`);
      else if (state === 'ready') text = RED._(`${NS}.status.counts`, counts);
      else text = RED._(`${NS}.status.stateWithCounts`, { ...counts, state: RED._(`${NS}.status.${look.key}`) });
      const fill = state === 'ready' && refused > 0 ? 'yellow' : look.fill;
      status.set({ fill, shape: fill === 'green' ? 'dot' : 'ring', text });
    }

    /** Says once per kind why requests are refused; a flood of forged requests must not flood the log. */
    function warnOnce(kind: string, text: string): void {
      if (warned.has(kind)) return;
      warned.add(kind);
      node.warn(text);
    }

    function record(outcome: EndpointOutcome): void {
      switch (outcome.kind) {
        case 'activity':
          accepted += 1;
          state = 'ready';
          node.send(activityMessage(outcome.request));
          break;
        case 'install':
          state = 'ready';
          if (outcome.captured) node.log(RED._(`${NS}.log.captured`));
          break;
        case 'refused':
          refused += 1;
          if (outcome.reason === 'no-token') {
            state = capture ? 'awaiting-install' : 'no-token';
            warnOnce('no-token', RED._(`${NS}.warn.noToken`));
          } else {
            warnOnce('mismatch', RED._(`${NS}.warn.mismatch`));
          }
          break;
        case 'invalid':
          refused += 1;
          warnOnce(`invalid:${outcome.error.reason ?? ''}`, RED._(`${NS}.warn.invalid`, { reason: localiseError(RED, outcome.error) }));
          break;
        case 'failed':
          refused += 1;
          if (outcome.error.code.startsWith('TOKEN_STORE_')) state = 'store-error';
          if (!warned.has('failed')) {
            warned.add('failed');
            node.error(localiseError(RED, outcome.error));
          }
          break;
      }
      render();
    }

    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
      let outcome: EndpointOutcome;
      try {
        outcome = await decideActivityPost(await readHandlerBody(request, bodyTimeout), tokens);
      } catch (error) {
        const failure = asBitrix24Error(error);
        outcome = failure.code === INVALID_ACTIVITY_REQUEST ? { kind: 'invalid', error: failure } : { kind: 'failed', error: failure };
      }
      // Bitrix24 does not wait for the work: the answer goes first, the message after.
      replyToActivityPost(response, outcome);
      if (!closed) record(outcome);
    }

    /** The state before any request: whether a token is configured or captured already. */
    async function initialState(): Promise<TokenState> {
      try {
        if ((await tokens.expected()) !== undefined) return 'ready';
        return capture ? 'awaiting-install' : 'no-token';
      } catch {
        return 'store-error';
      }
    }

    if ((RED.settings as { httpNodeRoot?: unknown }).httpNodeRoot === false) {
      node.warn(RED._(`${NS}.warn.noHttp`));
      node.status({ fill: 'red', shape: 'ring', text: RED._(`${NS}.status.noHttp`) });
      return;
    }
    if (typeof def.url !== 'string' || def.url.trim() === '') {
      node.warn(RED._(`${NS}.warn.noPath`));
      node.status({ fill: 'red', shape: 'ring', text: RED._(`${NS}.status.noPath`) });
      return;
    }
    if (portal === null) node.warn(RED._(`${NS}.warn.noPortal`));

    let closed = false;
    const bodyTimeout = bodyTimeoutOf(RED);
    const routePath = normaliseRoutePath(def.url);
    const settings = RED.settings as unknown as Record<string, unknown>;
    const releaseBodies = claimEarlyBodies((RED as unknown as { server?: unknown }).server, fullRoutePath(settings.httpNodeRoot, routePath), (request) =>
      readHandlerBodyBytes(request, bodyTimeout),
    );
    const removeRoute = addPostRoute(RED, routePath, (request, response) => {
      // Node-RED 4 exits on an unhandled rejection: whatever happens, it ends here.
      handle(request, response).catch((error: unknown) => node.error(localiseError(RED, asBitrix24Error(error))));
    });
    void initialState().then((initial) => {
      if (closed || accepted + refused > 0) return;
      state = initial;
      render();
    });
    if (registersItself(def) && def.keepRegistered === true) startRegistration();

    /**
     * Makes the portal's registration match this node, in the background: the receiver listens meanwhile, and a
     * failure shows on the status and in the log with its code, without stopping anything.
     */
    function startRegistration(): void {
      registration = { kind: 'pending' };
      render();
      const kindText = RED._(`${NS}.kind.${def.registerAs === 'robot' ? 'robot' : 'activity'}`);
      const code = typeof def.code === 'string' ? def.code.trim() : '';
      const onProblem = (error: unknown): void => warnOnce('fingerprints', RED._(`${NS}.warn.fingerprints`, { reason: localiseError(RED, asBitrix24Error(error)) }));
      let outcome: Promise<RegistrationOutcome>;
      try {
        const prepared = prepareRegistration(RED, portal, def, onProblem);
        outcome = keepRegistered(prepared, portal?.id ?? '');
      } catch (error) {
        outcome = Promise.reject(error);
      }
      outcome
        .then(
          (done) => {
            registration = undefined;
            if (!closed) node.log(RED._(`${NS}.log.registration.${done}`, { kind: kindText, code }));
          },
          (error: unknown) => {
            const failure = asBitrix24Error(error);
            registration = { kind: 'failed', code: failure.code };
            if (!closed) node.error(RED._(`${NS}.error.registration`, { kind: kindText, code, error: failure.code, reason: localiseError(RED, failure) }));
          },
        )
        .then(() => {
          if (!closed) render();
        })
        // Node-RED 4 exits on an unhandled rejection: whatever happens, it ends here.
        .catch(() => undefined);
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      releaseBodies();
      removeRoute();
      status.clear();
      done();
    });
  }

  RED.nodes.registerType('bitrix24-bizproc-activity-in', ActivityInNode);
  registerRegistrationRoutes(RED);
};
