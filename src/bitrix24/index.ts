// The Bitrix24 REST client's public API, usable without Node-RED: what a program may build on. Everything else in
// this folder (the envelope parser, the batch picker, the queue's lists, the limiter's parts) is internal and may
// change in any release; the package's own nodes import it by path.

export { Bitrix24Error, readField } from './errors';
export type { Bitrix24ErrorDetails, DeliveryCertainty } from './errors';
export { redactSecrets, REDACTED } from './redact';

export { Bitrix24Client } from './client';
export type { Bitrix24ClientOptions, CallOptions, RestCaller, RestSender } from './client';
export type { ResponseTime, RestResult } from './envelope';
export { DEFAULT_TIMEOUT_MS } from './transport';
export type { TransportOptions } from './transport';

export type { AuthorisedRequest, CallAuth, RequestAuth } from './auth/request-auth';
export { WebhookAuth } from './auth/webhook-auth';
export { OAuthAuth } from './auth/oauth-auth';
export type { OAuthAuthOptions } from './auth/oauth-auth';
export { DEFAULT_AUTH_SERVER, OAuthServerClient } from './auth/oauth-server';
export type { OAuthApplication } from './auth/oauth-server';
export { MemoryTokenStore } from './auth/oauth-tokens';
export type { OAuthTokens, OAuthTokenStore } from './auth/oauth-tokens';
export { MessageAuth, parseMessageAuth } from './auth/message-auth';

export { BatchDispatcher, DEFAULT_DISPATCHER_OPTIONS } from './delivery/dispatcher';
export type { DispatcherOptions } from './delivery/dispatcher';
export { RATE_LIMIT_PRESETS } from './delivery/rate-limit';
export type { RateLimit } from './delivery/rate-limit';
export { DEFAULT_RETRY_OPTIONS } from './delivery/retry-policy';
export type { RetryOptions } from './delivery/retry-policy';
export type { Scheduler } from './delivery/scheduler';

export { ACTIVITY_LOG_METHOD, logActivity, prepareActivityLog, sendActivityLog } from './bizproc/activity-log';
export type { ActivityLogRequest, ActivityLogResult } from './bizproc/activity-log';
export { EVENT_SEND_METHOD, prepareEventSend, sendEvent } from './bizproc/event-send';
export type { EventSendRequest, EventSendResult } from './bizproc/event-send';
export { MAX_LOG_MESSAGE_BYTES, prepareLogMessage, TRUNCATION_MARKER } from './bizproc/log-message';
export type { PreparedLogMessage } from './bizproc/log-message';
export { validateEventToken } from './bizproc/event-token';
export { parseHandlerBody, readActivityRequest } from './bizproc/activity-request';
export type { ActivityRequest } from './bizproc/activity-request';
export { applicationTokenMatches } from './bizproc/application-token';

export { callMethod, prepareMethodCall } from './method-call';
export type { MethodCall } from './method-call';
export { callAllPages, MAX_PAGES } from './list-pages';
export type { AllPagesResult } from './list-pages';
export { checkScope } from './scope-check';
export type { ScopeCheck } from './scope-check';

export { parseRedisUrl } from './shared/redis-address';
export type { RedisAddress } from './shared/redis-address';
export { RedisLink } from './shared/redis-link';
export type { LinkState, LinkTrouble, RedisLinkOptions } from './shared/redis-link';
export { SharedKeys } from './shared/shared-keys';
export { SharedAdmission } from './shared/shared-admission';
export type { SharedAdmissionOptions } from './shared/shared-admission';
export { RedisTokenChain } from './shared/token-chain';
export type { RedisTokenChainOptions } from './shared/token-chain';
export type { ValueSealer } from './shared/value-sealer';
export type { Admission, AdmissionListener } from './delivery/admission';
export type { RotatingTokenStore } from './auth/oauth-tokens';
