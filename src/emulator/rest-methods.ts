// The REST methods the emulated portal offers, each a pure function of its (upper-cased) parameters and the clock
// time. Checks run in the portal's order: the event token first, then the workflow's state, then the message.

import { AppRegistrations, RegistrationKind } from './app-registrations';
import { DealStore } from './crm-deals';
import { isPhpEmpty, phpArrayEntries } from './php-values';
import { restErrors } from './rest-error';
import { formatPortalDate } from './response-time';
import { WorkflowRecord, WorkflowStore } from './workflow-store';

/**
 * One REST method: the scope it needs (none: always available) and what it does. Errors are thrown as RestError; a
 * list method returns a PagedResult, whose `total` and `next` travel beside `result`.
 */
export interface RestMethod {
  scope?: string;
  run(params: Record<string, unknown>, now: number, caller: CallerContext): unknown;
}

/** Who is calling: an application with its OAuth access token, or an incoming webhook. */
export interface CallerContext {
  application: boolean;
}

/** What the method handlers need from the emulator. */
export interface RestMethodContext {
  store: WorkflowStore;
  deals: DealStore;
  registrations: AppRegistrations;
  scopes: readonly string[];
  userId: number;
  engineErrorCodeAsNumber: boolean;
}

/** What the portal writes when LOG_MESSAGE is not a string (a number, object, array or boolean that is not empty). */
export const NON_STRING_LOG_MESSAGE = '(non-string message)';

const REGISTRATION_KINDS: readonly RegistrationKind[] = ['activity', 'robot'];

/** The method table, keyed by lower-case method name (`batch` is handled apart, since it calls the others). */
export function createRestMethods(context: RestMethodContext): Map<string, RestMethod> {
  const methods = new Map<string, RestMethod>();
  methods.set('scope', { run: () => [...context.scopes] });
  methods.set('server.time', { run: (_params, now) => formatPortalDate(now) });
  methods.set('profile', { run: () => ({ ID: String(context.userId), ADMIN: true, NAME: 'Emulator', LAST_NAME: 'Admin' }) });
  methods.set('crm.deal.add', { scope: 'crm', run: (params, now) => context.deals.add(params, now) });
  methods.set('crm.deal.get', { scope: 'crm', run: (params) => context.deals.get(params) });
  methods.set('crm.deal.update', { scope: 'crm', run: (params) => context.deals.update(params) });
  methods.set('crm.deal.delete', { scope: 'crm', run: (params) => context.deals.delete(params) });
  methods.set('crm.deal.list', { scope: 'crm', run: (params) => context.deals.list(params) });
  methods.set('bizproc.activity.log', { scope: 'bizproc', run: (params, now) => logActivity(context, params, now) });
  methods.set('bizproc.event.send', { scope: 'bizproc', run: (params, now) => sendEvent(context, params, now) });
  // Registration needs an application's OAuth token (the emulator's one user is an administrator); a webhook is
  // refused before anything else is looked at, as the server's first check is for a client id.
  const { registrations } = context;
  const applicationOnly = (run: (params: Record<string, unknown>, now: number) => unknown): RestMethod['run'] => (params, now, caller) => {
    if (!caller.application) throw restErrors.applicationContextRequired();
    return run(params, now);
  };
  for (const kind of REGISTRATION_KINDS) {
    const prefix = `bizproc.${kind}`;
    methods.set(`${prefix}.add`, { scope: 'bizproc', run: applicationOnly((params, now) => registrations.add(kind, params, now)) });
    methods.set(`${prefix}.update`, { scope: 'bizproc', run: applicationOnly((params, now) => registrations.update(kind, params, now)) });
    methods.set(`${prefix}.delete`, { scope: 'bizproc', run: applicationOnly((params) => registrations.delete(kind, params)) });
    methods.set(`${prefix}.list`, { scope: 'bizproc', run: applicationOnly(() => registrations.list(kind)) });
  }
  return methods;
}

function logActivity(context: RestMethodContext, params: Record<string, unknown>, now: number): true {
  const workflow = runningWorkflowOf(context, params.EVENT_TOKEN);
  // A closed activity no longer listens; the portal drops the line and still answers true.
  if (workflow.activityClosed) return true;
  if (isPhpEmpty(params.LOG_MESSAGE)) throw restErrors.emptyLogMessage();
  context.store.appendLog(workflow, logLineText(params.LOG_MESSAGE), now);
  return true;
}

function sendEvent(context: RestMethodContext, params: Record<string, unknown>, now: number): true {
  const workflow = runningWorkflowOf(context, params.EVENT_TOKEN);
  if (workflow.activityClosed) throw restErrors.activityClosed();
  workflow.returnValues = returnValuesFrom(params.RETURN_VALUES, workflow.registration?.returnProperties);
  if (!isPhpEmpty(params.LOG_MESSAGE)) context.store.appendLog(workflow, logLineText(params.LOG_MESSAGE), now);
  workflow.activityClosed = true;
  return true;
}

/** The token's workflow if it may take calls: 403 for a bad token, engine errors for a deleted or locked workflow. */
function runningWorkflowOf(context: RestMethodContext, token: unknown): WorkflowRecord {
  const workflow = context.store.findByToken(token);
  if (!workflow) throw restErrors.accessDenied();
  if (workflow.deleted) throw restErrors.workflowNotFound(context.engineErrorCodeAsNumber);
  if (workflow.locked) throw restErrors.workflowLocked(context.engineErrorCodeAsNumber);
  return workflow;
}

function logLineText(message: unknown): string {
  return typeof message === 'string' ? message : NON_STRING_LOG_MESSAGE;
}

/**
 * RETURN_VALUES as a map: a list becomes index keys, anything that is not an array becomes no values at all. For an
 * activity or robot registered with RETURN_PROPERTIES, only those are kept, matched without case and stored under
 * the registered spelling, as the portal's CBPRestActivity does.
 */
function returnValuesFrom(value: unknown, registered: readonly string[] | undefined): Record<string, unknown> {
  const entries = phpArrayEntries(value);
  if (registered === undefined) return Object.fromEntries(entries);
  const byUpperCase = new Map(registered.map((code) => [code.toUpperCase(), code]));
  const kept: Array<[string, unknown]> = [];
  for (const [key, item] of entries) {
    const code = byUpperCase.get(key.toUpperCase());
    if (code !== undefined) kept.push([code, item]);
  }
  return Object.fromEntries(kept);
}

