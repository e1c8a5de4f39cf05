// The emulator's public surface: what tests, the demo and the CLI use.

export { Bitrix24Emulator, startEmulator } from './emulator';
export { ManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export type { EmulatorOptions, OperatingLimit, RateLimit } from './emulator-options';
export { DEFAULT_RATE_LIMIT } from './emulator-options';
export type { Fault, FaultOptions } from './faults';
export type { OAuthOptions } from './oauth-options';
export type { OAuthRequestRecord } from './oauth-request-log';
export type { IssuedTokens } from './oauth-tokens';
export type { TokenAnswer } from './oauth-token-server';
export type { RequestRecord } from './request-log';
export type { LogLine, StartedWorkflow, StartWorkflowOptions, WorkflowStatus } from './workflow-store';
export type { WorkflowView } from './workflow-view';
export type { ResponseTime } from './response-time';
export { NON_STRING_LOG_MESSAGE } from './rest-methods';
export { HandlerUnreachableError } from './activity-dispatch';
export type { DispatchActivityOptions, DispatchedActivity } from './activity-dispatch';
export type { AppRegistration, RegistrationKind } from './app-registrations';
export { UnknownRegistrationError } from './registered-start';
export type { StartRegisteredOptions } from './registered-start';
