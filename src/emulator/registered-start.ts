// A business process reaching a registered activity or robot: the emulator starts a workflow and POSTs the request
// to the registration's HANDLER, with the registered CODE, the property values a user gave (the property's Default,
// else "", for the rest, as the portal's CBPRestActivity sends them), and the registered USE_SUBSCRIPTION ("Y" only
// when it was registered as "Y", as the portal reads it).

import { ActivityDispatcher, DispatchedActivity } from './activity-dispatch';
import { AppRegistration, AppRegistrations, RegisteredProperty, RegistrationKind } from './app-registrations';

/** What to start: the registration's code (and kind, when a code could be either), and the property values. */
export interface StartRegisteredOptions {
  code: string;
  kind?: RegistrationKind;
  /** Values by property code; missing ones take the registered Default. Others are not sent, as on the portal. */
  properties?: Record<string, unknown>;
  /** The workflow's name and document, as for startWorkflow. */
  name?: string;
  documentId?: string;
}

/** The registration asked for is not there. */
export class UnknownRegistrationError extends Error {
  constructor() {
    super('No activity or robot with this code is registered.');
    this.name = 'UnknownRegistrationError';
  }
}

/** The value a property is sent with: the given one, else its Default, else "" (a multiple one as a list). */
function valueOf(property: RegisteredProperty, given: unknown): unknown {
  const value = given === undefined || given === null ? (property.DEFAULT ?? '') : given;
  if (property.MULTIPLE !== 'Y') return value;
  if (Array.isArray(value)) return value;
  return value === '' ? [] : [value];
}

/** The localised name of a registration, as the portal shows it in English: EN, else `*`, else the first. */
export function displayName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return '';
  const texts = value as Record<string, unknown>;
  const pick = texts.EN ?? texts['*'] ?? Object.values(texts)[0];
  return typeof pick === 'string' ? pick : '';
}

/** Starts workflows from registrations. */
export class RegisteredStarts {
  constructor(
    private readonly registrations: AppRegistrations,
    private readonly dispatcher: ActivityDispatcher,
  ) {}

  /** The registration a start names; throws UnknownRegistrationError. */
  registrationOf(code: string, kind?: RegistrationKind): AppRegistration {
    const registration = this.registrations.find(code, kind);
    if (registration === undefined) throw new UnknownRegistrationError();
    return registration;
  }

  /**
   * Starts a workflow that reaches the registered activity or robot, and POSTs its request to the HANDLER. Rejects with
   * UnknownRegistrationError, or HandlerUnreachableError (naming the workflow, which still waits).
   */
  start(options: StartRegisteredOptions): Promise<DispatchedActivity> {
    const registration = this.registrationOf(options.code, options.kind);
    const given = options.properties ?? {};
    const properties: Record<string, unknown> = {};
    for (const [code, property] of Object.entries(registration.properties)) {
      properties[code] = valueOf(property, Object.prototype.hasOwnProperty.call(given, code) ? given[code] : undefined);
    }
    return this.dispatcher.dispatchActivity({
      handlerUrl: registration.handler,
      code: registration.code,
      properties,
      useSubscription: registration.useSubscription === 'Y',
      name: options.name ?? `${displayName(registration.name) || registration.code} (${registration.kind})`,
      documentId: options.documentId,
      registration: { kind: registration.kind, code: registration.code, returnProperties: Object.keys(registration.returnProperties) },
    });
  }
}
