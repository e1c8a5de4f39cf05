// The activities and robots the application has registered on the emulated portal (bizproc.activity.* and
// bizproc.robot.*), with the portal's checks in the portal's order, as the server's RestService applies them:
// application context first ("Application context required"), then the data: CODE (`a-z A-Z 0-9 . - _`), HANDLER
// (http or https, on the application's domain), NAME, PROPERTIES and RETURN_PROPERTIES (codes starting with a letter,
// each with a NAME). A code is unique per application whatever the kind (the server keys rows by md5(APP_ID@CODE)),
// (case-sensitively), while update, delete and list see only their own kind. Keys are upper-cased as the server does, except property
// codes and option values, which it keeps.

import { isPhpEmpty } from './php-values';
import { RestError } from './rest-error';

/** What was registered: a designer activity or an automation robot. */
export type RegistrationKind = 'activity' | 'robot';

/** One registered property, with its members upper-cased (NAME, TYPE, ...) as the portal keeps them. */
export type RegisteredProperty = Record<string, unknown>;

/** One registration as the portal keeps it. */
export interface AppRegistration {
  kind: RegistrationKind;
  code: string;
  handler: string;
  name: unknown;
  description: unknown;
  useSubscription: string;
  properties: Record<string, RegisteredProperty>;
  returnProperties: Record<string, RegisteredProperty>;
  registeredAt: number;
  updatedAt: number;
}

const CODE = /^[a-z0-9.\-_]+$/i;
const PROPERTY_CODE = /^[a-z][a-z0-9_]*$/i;
const MAX_CODE_LENGTH = 128;
const MAX_HANDLER_LENGTH = 1000;
// Far more than any application registers; bounds what a looping client can make the emulator hold.
const MAX_REGISTRATIONS = 1000;

/** The portal's answers for registration calls (docs: bizproc-robot-add.md "Возможные коды ошибок"). */
export const registrationErrors = {
  validation: (description: string): RestError => new RestError(400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', description),
  alreadyInstalled: (): RestError => new RestError(400, 'ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Robot already installed!'),
  notFound: (): RestError => new RestError(400, 'ERROR_ACTIVITY_NOT_FOUND', 'Activity or Robot not found!'),
  unsupportedProtocol: (): RestError => new RestError(400, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol'),
  wrongHandler: (): RestError => new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL'),
  addFailure: (): RestError => new RestError(400, 'ERROR_ACTIVITY_ADD_FAILURE', 'Activity save error!'),
};

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The server's key normalisation: keys upper-cased at every level, except the keys of PROPERTIES, RETURN_PROPERTIES
 * and OPTIONS themselves (property codes, option values), whose values are normalised again.
 */
export function normaliseRegistrationData(value: unknown, keepKeys = false): unknown {
  if (Array.isArray(value)) return value.map((item) => normaliseRegistrationData(item));
  if (!isMap(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const name = keepKeys ? key : key.toUpperCase();
    const keepChildKeys = !keepKeys && (name === 'PROPERTIES' || name === 'RETURN_PROPERTIES' || name === 'OPTIONS');
    Object.defineProperty(result, name, { value: normaliseRegistrationData(child, keepChildKeys), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function checkCode(code: unknown): string {
  if (isPhpEmpty(code)) throw registrationErrors.validation('Empty activity code!');
  if (typeof code !== 'string' || !CODE.test(code) || code.length > MAX_CODE_LENGTH) throw registrationErrors.validation('Wrong activity code!');
  return code;
}

function checkProperties(value: unknown): Record<string, RegisteredProperty> {
  // An empty PHP array is how JSON's {} and [] both arrive.
  if (Array.isArray(value) && value.length === 0) return {};
  if (!isMap(value)) throw registrationErrors.validation('Wrong properties array!');
  const properties: Record<string, RegisteredProperty> = {};
  for (const [key, property] of Object.entries(value)) {
    if (!PROPERTY_CODE.test(key)) throw registrationErrors.validation(`Wrong property key (${key.slice(0, 64)})!`);
    if (!isMap(property) || isPhpEmpty(property.NAME)) throw registrationErrors.validation(`Empty property NAME (${key})!`);
    properties[key] = property;
  }
  return properties;
}

/** The registrations of the portal's one application. */
export class AppRegistrations {
  private readonly byCode = new Map<string, AppRegistration>();

  /**
   * Registrations checked against `applicationHost()`: the host of the application's registered address, when it has
   * one; HANDLER must then be on that host (the docs' "same domain as the application"). Without one any host goes.
   */
  constructor(private readonly applicationHost: () => string | undefined) {}

  /** bizproc.<kind>.add. */
  add(kind: RegistrationKind, raw: Record<string, unknown>, now: number): true {
    const params = normaliseRegistrationData(raw) as Record<string, unknown>;
    if (Object.keys(params).length === 0) throw registrationErrors.validation('Empty data!');
    const code = checkCode(params.CODE);
    const handler = this.checkHandler(params.HANDLER);
    if (isPhpEmpty(params.NAME)) throw registrationErrors.validation('Empty activity NAME!');
    const properties = params.PROPERTIES === undefined ? {} : checkProperties(params.PROPERTIES);
    const returnProperties = params.RETURN_PROPERTIES === undefined ? {} : checkProperties(params.RETURN_PROPERTIES);
    if (this.byCode.has(code)) throw registrationErrors.alreadyInstalled();
    if (this.byCode.size >= MAX_REGISTRATIONS) throw registrationErrors.addFailure();
    this.byCode.set(code, {
      kind,
      code,
      handler,
      name: params.NAME,
      description: params.DESCRIPTION,
      useSubscription: typeof params.USE_SUBSCRIPTION === 'string' ? params.USE_SUBSCRIPTION : '',
      properties,
      returnProperties,
      registeredAt: now,
      updatedAt: now,
    });
    return true;
  }

  /** bizproc.<kind>.update: `CODE` and the fields to change in `FIELDS`. */
  update(kind: RegistrationKind, raw: Record<string, unknown>, now: number): true {
    const params = normaliseRegistrationData(raw) as Record<string, unknown>;
    const registration = this.own(kind, checkCode(params.CODE));
    const fields = params.FIELDS;
    if (!isMap(fields) || Object.keys(fields).length === 0) throw registrationErrors.validation('No fields to update');
    // Checked whole before anything changes: the portal updates the row in one statement.
    const next: AppRegistration = { ...registration, updatedAt: now };
    let changed = false;
    if (fields.HANDLER !== undefined) [next.handler, changed] = [this.checkHandler(fields.HANDLER), true];
    if (fields.USE_SUBSCRIPTION !== undefined) [next.useSubscription, changed] = [String(fields.USE_SUBSCRIPTION), true];
    if (!isPhpEmpty(fields.NAME)) [next.name, changed] = [fields.NAME, true];
    if (fields.DESCRIPTION !== undefined) [next.description, changed] = [fields.DESCRIPTION, true];
    if (fields.PROPERTIES !== undefined) [next.properties, changed] = [checkProperties(fields.PROPERTIES), true];
    if (fields.RETURN_PROPERTIES !== undefined) [next.returnProperties, changed] = [checkProperties(fields.RETURN_PROPERTIES), true];
    if (!changed) throw registrationErrors.validation('No fields to update');
    this.byCode.set(registration.code, next);
    return true;
  }

  /** bizproc.<kind>.delete. */
  delete(kind: RegistrationKind, raw: Record<string, unknown>): true {
    const params = normaliseRegistrationData(raw) as Record<string, unknown>;
    const registration = this.own(kind, checkCode(params.CODE));
    this.byCode.delete(registration.code);
    return true;
  }

  /** bizproc.<kind>.list: the codes, oldest first. */
  list(kind: RegistrationKind): string[] {
    return [...this.byCode.values()].filter((registration) => registration.kind === kind).map((registration) => registration.code);
  }

  /** Every registration, oldest first (a copy). */
  all(): AppRegistration[] {
    return [...this.byCode.values()].map((registration) => structuredClone(registration));
  }

  /** The registration of `code` (of `kind`, when given), or undefined. */
  find(code: string, kind?: RegistrationKind): AppRegistration | undefined {
    const registration = this.byCode.get(code);
    return registration === undefined || (kind !== undefined && registration.kind !== kind) ? undefined : registration;
  }

  private own(kind: RegistrationKind, code: string): AppRegistration {
    const registration = this.find(code, kind);
    if (registration === undefined) throw registrationErrors.notFound();
    return registration;
  }

  private checkHandler(value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_HANDLER_LENGTH) throw registrationErrors.wrongHandler();
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw registrationErrors.wrongHandler();
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw registrationErrors.unsupportedProtocol();
    const host = this.applicationHost();
    if (host !== undefined && url.hostname.toLowerCase() !== host.toLowerCase()) throw registrationErrors.wrongHandler();
    return value;
  }
}
