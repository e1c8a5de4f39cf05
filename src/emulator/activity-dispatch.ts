// The portal's side of an application's activity: when a business process reaches the activity, Bitrix24 POSTs a
// form (PHP bracket keys) to the application's handler with exactly the fields of docs/bitrix24-api.md section 2,
// and once, when the application is installed, an ONAPPINSTALL event with its application token. The emulator sends
// both to any URL, with the application token it was started with, or a forged one for tests.

import { randomBytes } from 'node:crypto';
import { encodePhpForm } from './php-form';
import { Clock } from './clock';
import { StartedWorkflow, WorkflowRegistration, WorkflowStore } from './workflow-store';

/** What to start and send; only `handlerUrl` is needed. */
export interface DispatchActivityOptions {
  /** Where the application's handler listens, e.g. a Node-RED `bitrix24-bizproc-activity-in` URL. */
  handlerUrl: string;
  /** `auth[application_token]`; default: the emulator's own. Give another value to forge a request. */
  applicationToken?: string;
  /** The activity's input properties. */
  properties?: Record<string, unknown>;
  /** The activity's registered code; default `node_red_activity`. */
  code?: string;
  /** Whether the process waits for bizproc.event.send; default true. */
  useSubscription?: boolean;
  /** Seconds the process waits for the answer; default 3600. */
  timeoutDuration?: number;
  /** The workflow's name, document and activity name, as for startWorkflow. */
  name?: string;
  documentId?: string;
  activityName?: string;
  /** How the body is encoded: `form` as Bitrix24 does (default), or `json`. */
  encoding?: 'form' | 'json';
  /** The registered activity or robot the workflow runs (its answer keeps only the registered return values). */
  registration?: WorkflowRegistration;
}

/** A dispatched activity: the workflow that waits, its token, and the HTTP status the handler answered. */
export interface DispatchedActivity extends StartedWorkflow {
  status: number;
}

/** What the portal knows about itself and the installed application, for the `auth` block. */
export interface DispatchContext {
  store: WorkflowStore;
  clock: Clock;
  /** The emulator's base URL, e.g. `http://127.0.0.1:8095`. */
  baseUrl: () => string;
  userId: number;
  applicationToken: string;
  memberId: string;
  /** With the OAuth side on: a real pair the application can call REST with (message auth); else random tokens. */
  issueTokens?: () => { accessToken: string; refreshToken: string; expiresAt: number };
}

/** The handler could not be reached; the workflow was started and waits (as on a portal, nothing is retried). */
export class HandlerUnreachableError extends Error {
  constructor(readonly workflowId: string | undefined) {
    super('The activity handler could not be reached.');
    this.name = 'HandlerUnreachableError';
  }
}

/** How long the emulator waits for a handler's answer; Bitrix24 expects handlers to answer quickly. */
const HANDLER_TIMEOUT_MS = 10_000;
const DOCUMENT_TYPE = ['crm', 'CCrmDocumentDeal', 'DEAL'];

/** Sends activity requests and install events the way the portal does. */
export class ActivityDispatcher {
  constructor(private readonly context: DispatchContext) {}

  /** Starts a workflow whose activity waits, and POSTs its activity request to the handler. */
  async dispatchActivity(options: DispatchActivityOptions): Promise<DispatchedActivity> {
    const target = handlerUrlOf(options.handlerUrl);
    const started = this.context.store.start(
      { name: options.name, documentId: options.documentId, activityName: options.activityName, registration: options.registration },
      this.context.clock.now(),
    );
    const workflow = this.context.store.get(started.workflowId);
    const fields = {
      workflow_id: started.workflowId,
      code: options.code ?? 'node_red_activity',
      document_id: [DOCUMENT_TYPE[0], DOCUMENT_TYPE[1], workflow.documentId],
      document_type: DOCUMENT_TYPE,
      event_token: started.eventToken,
      properties: options.properties ?? {},
      use_subscription: options.useSubscription === false ? 'N' : 'Y',
      timeout_duration: options.timeoutDuration ?? 3600,
      ts: this.timestamp(),
      auth: this.auth(options.applicationToken),
    };
    const status = await post(target, fields, options.encoding ?? 'form', started.workflowId);
    return { ...started, status };
  }

  /** POSTs the ONAPPINSTALL event the portal sends once when the application is installed; resolves with the status. */
  async dispatchInstall(options: { handlerUrl: string; applicationToken?: string }): Promise<{ status: number }> {
    const fields = {
      event: 'ONAPPINSTALL',
      data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
      ts: this.timestamp(),
      auth: this.auth(options.applicationToken),
    };
    return { status: await post(handlerUrlOf(options.handlerUrl), fields, 'form', undefined) };
  }

  private timestamp(): string {
    return String(Math.floor(this.context.clock.now() / 1000));
  }

  /** The `auth` block: fresh OAuth tokens for this request, the portal's addresses, and the application token. */
  private auth(applicationToken: string | undefined): Record<string, string> {
    const base = this.context.baseUrl();
    const now = this.context.clock.now();
    const issued = this.context.issueTokens?.();
    const expiresAt = issued?.expiresAt ?? now + 3_600_000;
    return {
      access_token: issued?.accessToken ?? randomBytes(32).toString('hex'),
      refresh_token: issued?.refreshToken ?? randomBytes(32).toString('hex'),
      expires: String(Math.floor(expiresAt / 1000)),
      expires_in: String(Math.round((expiresAt - now) / 1000)),
      scope: 'bizproc',
      domain: new URL(base).host,
      server_endpoint: issued === undefined ? 'https://oauth.bitrix.info/rest/' : `${base}/oauth/rest/`,
      client_endpoint: `${base}/rest/`,
      status: 'L',
      member_id: this.context.memberId,
      user_id: String(this.context.userId),
      application_token: applicationToken ?? this.context.applicationToken,
    };
  }
}

/** The handler's URL, checked: only http and https can be posted to. */
function handlerUrlOf(handlerUrl: string): URL {
  let url: URL;
  try {
    url = new URL(handlerUrl);
  } catch {
    throw new RangeError('handlerUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('handlerUrl must be an absolute http(s) URL');
  return url;
}

/** POSTs the fields and resolves with the handler's status; the answer's body is read and dropped, as the portal does. */
async function post(url: URL, fields: Record<string, unknown>, encoding: 'form' | 'json', workflowId: string | undefined): Promise<number> {
  const form = encoding === 'form';
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? encodePhpForm(fields) : JSON.stringify(fields),
      redirect: 'manual',
      signal: AbortSignal.timeout(HANDLER_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    throw new HandlerUnreachableError(workflowId);
  }
}

/** A member id in the portal's format: 32 hex characters. */
export function newMemberId(): string {
  return randomBytes(16).toString('hex');
}
