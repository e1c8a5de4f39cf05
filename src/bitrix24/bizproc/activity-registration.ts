// Registering an activity or robot with the portal: a definition becomes the parameters of bizproc.activity.add /
// bizproc.robot.add (and `CODE` + `FIELDS` for update), and `syncRegistration` makes the portal's registration match
// a definition with as few calls as it can. Every method here needs an application's OAuth token and an
// administrator: a webhook is answered 403 ACCESS_DENIED "Application context required" (docs bizproc-robot/*.md).
//
// The server keys a registration by application and CODE alone (an md5 of `APP_ID@CODE`), whichever the kind, but
// update and delete look for the code among the kind's own (server code, RestService): an activity and a robot of
// one application can never share a code, and the other kind's code answers ERROR_ACTIVITY_NOT_FOUND.

import { createHash } from 'node:crypto';
import type { CallOptions, RestCaller } from '../client';
import { Bitrix24Error } from '../errors';
import { ActivityDefinition, ActivityKind } from './activity-definition';

/** The REST methods of one kind. */
export interface RegistrationMethods {
  add: string;
  update: string;
  delete: string;
  list: string;
}

/** The parameters of an add call: what the portal keeps for the code. */
export interface RegistrationParams {
  CODE: string;
  HANDLER: string;
  NAME: ActivityDefinition['name'];
  DESCRIPTION?: ActivityDefinition['description'];
  USE_SUBSCRIPTION: 'Y' | 'N';
  PROPERTIES: ActivityDefinition['properties'];
  RETURN_PROPERTIES: ActivityDefinition['returnProperties'];
}

/** What `syncRegistration` did. */
export type RegistrationOutcome = 'added' | 'updated' | 'unchanged';

/** Where the fingerprint of what was last registered is kept (per portal, kind and code); see registrationFingerprint. */
export interface RegistrationMemory {
  /** The fingerprint of the last successful registration, or undefined when none is known. */
  read(): Promise<string | undefined>;
  /** Keeps the fingerprint of a registration that just succeeded. */
  write(fingerprint: string): Promise<void>;
}

/** The methods for `kind`. */
export function registrationMethods(kind: ActivityKind): RegistrationMethods {
  const prefix = kind === 'robot' ? 'bizproc.robot' : 'bizproc.activity';
  return { add: `${prefix}.add`, update: `${prefix}.update`, delete: `${prefix}.delete`, list: `${prefix}.list` };
}

/** The error codes Bitrix24 answers registration calls with (docs: "Возможные коды ошибок"). */
export const REGISTRATION_ERRORS = {
  alreadyInstalled: 'ERROR_ACTIVITY_ALREADY_INSTALLED',
  notFound: 'ERROR_ACTIVITY_NOT_FOUND',
} as const;

/**
 * The add parameters of `definition`, served at `handlerUrl`. DESCRIPTION is left out when there is none; an empty
 * USE_SUBSCRIPTION would let the designer choose, so the definition's Y or N is always sent.
 */
export function registrationParams(definition: ActivityDefinition, handlerUrl: string): RegistrationParams {
  const params: RegistrationParams = {
    CODE: definition.code,
    HANDLER: handlerUrl,
    NAME: definition.name,
    USE_SUBSCRIPTION: definition.useSubscription,
    PROPERTIES: definition.properties,
    RETURN_PROPERTIES: definition.returnProperties,
  };
  if (definition.description !== undefined) params.DESCRIPTION = definition.description;
  return params;
}

/**
 * The update parameters: `CODE` and the fields in `FIELDS`. Every field is sent, so the portal ends up with exactly
 * the definition; an empty DESCRIPTION clears an earlier one (the server sets DESCRIPTION whenever it is given).
 */
export function updateParams(params: RegistrationParams): { CODE: string; FIELDS: Record<string, unknown> } {
  const { CODE, ...fields } = params;
  return { CODE, FIELDS: { DESCRIPTION: '', ...fields } };
}

/**
 * A fingerprint of a registration: SHA-256 of the kind, the portal it is registered on (`target`, e.g. host and
 * client id) and the parameters, with object keys sorted so that key order never counts as a change.
 */
export function registrationFingerprint(kind: ActivityKind, target: string, params: RegistrationParams): string {
  return createHash('sha256').update(canonicalJson({ kind, target, params })).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Bitrix24Error && error.code === code;
}

/** Adds the registration (bizproc.activity.add / bizproc.robot.add). */
export async function addRegistration(caller: RestCaller, kind: ActivityKind, params: RegistrationParams, options: CallOptions = {}): Promise<void> {
  await caller.call(registrationMethods(kind).add, { ...params }, options);
}

/** Replaces every field of an existing registration. */
export async function updateRegistration(caller: RestCaller, kind: ActivityKind, params: RegistrationParams, options: CallOptions = {}): Promise<void> {
  await caller.call(registrationMethods(kind).update, updateParams(params), options);
}

/** Deletes the registration of `code`; resolves false when the portal had none of this kind. */
export async function deleteRegistration(caller: RestCaller, kind: ActivityKind, code: string, options: CallOptions = {}): Promise<boolean> {
  try {
    await caller.call(registrationMethods(kind).delete, { CODE: code }, options);
    return true;
  } catch (error) {
    if (hasCode(error, REGISTRATION_ERRORS.notFound)) return false;
    throw error;
  }
}

/** The codes this application has registered of `kind`; the portal lists codes only. */
export async function listRegistrations(caller: RestCaller, kind: ActivityKind, options: CallOptions = {}): Promise<string[]> {
  const answer = await caller.call(registrationMethods(kind).list, {}, { ...options, repeatable: true });
  const codes = Array.isArray(answer.result) ? answer.result : answer.result !== null && typeof answer.result === 'object' ? Object.values(answer.result) : [];
  return codes.filter((code): code is string => typeof code === 'string');
}

/**
 * Adds the registration, or updates it when the code is taken already; resolves with what it did. Knowing nothing of
 * the portal's state, add goes first: it is the one call a new code needs.
 */
export async function addOrUpdate(caller: RestCaller, kind: ActivityKind, params: RegistrationParams, options: CallOptions = {}): Promise<'added' | 'updated'> {
  try {
    await addRegistration(caller, kind, params, options);
    return 'added';
  } catch (error) {
    if (!hasCode(error, REGISTRATION_ERRORS.alreadyInstalled)) throw error;
  }
  await updateRegistration(caller, kind, params, options);
  return 'updated';
}

/**
 * Makes the portal's registration match `params`: no call at all when the fingerprint of the last registration is the
 * same; an update when it differs (an add if the portal lost the code meanwhile); add-or-update when none is known.
 * The new fingerprint is kept only once the portal has accepted the registration.
 */
export async function syncRegistration(
  caller: RestCaller,
  kind: ActivityKind,
  target: string,
  params: RegistrationParams,
  memory: RegistrationMemory,
  options: CallOptions = {},
): Promise<RegistrationOutcome> {
  const fingerprint = registrationFingerprint(kind, target, params);
  const known = await memory.read();
  if (known === fingerprint) return 'unchanged';
  let outcome: 'added' | 'updated';
  if (known === undefined) {
    outcome = await addOrUpdate(caller, kind, params, options);
  } else {
    try {
      await updateRegistration(caller, kind, params, options);
      outcome = 'updated';
    } catch (error) {
      if (!hasCode(error, REGISTRATION_ERRORS.notFound)) throw error;
      // Deleted on the portal since (by hand, or with the application's reinstallation): it is added again.
      await addRegistration(caller, kind, params, options);
      outcome = 'added';
    }
  }
  await memory.write(fingerprint);
  return outcome;
}
