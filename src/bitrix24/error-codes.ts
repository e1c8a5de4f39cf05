// Everything the package knows about an error code, in one table: the transport, the envelope, the batch split, the
// retry policy and the nodes read it, so what one of them decides about a code can never contradict another.
// Bitrix24's own codes come from the REST docs and the server code (shared/docs/bitrix24-api.md); the rest are ours.

/** Where a failure happened, as far as the caller can know: decides whether repeating the call is safe. */
export type DeliveryCertainty =
  /** The portal did not run the call (refused before execution, or never reached): a retry cannot duplicate it. */
  | 'not-executed'
  /** The call may or may not have run (timeout or connection lost after sending, 5xx): a retry may duplicate it. */
  | 'ambiguous'
  /** The portal ran the call and answered with an error, or the input was refused locally: repeating gives the same. */
  | 'final';

/** What a failure is about, in the few words a node's status has room for (the catalogue's `status.failed.<kind>`). */
export type ErrorKind = 'input' | 'config' | 'auth' | 'limit' | 'refused' | 'network' | 'shared' | 'queue' | 'closed' | 'internal';

/** The facts about one error code. */
export interface ErrorFacts {
  /** The HTTP status Bitrix24 answers with when the method is called alone (a batch reports none per command). */
  status?: number;
  /**
   * Whether a call that failed with this code ran on the portal. Absent where it depends on the occurrence: the one
   * who raises the error says (a network error before or after sending; an HTTP error by its status).
   */
  ran?: DeliveryCertainty;
  /** Waiting and sending again may succeed. Applies only to occurrences that certainly did not run. */
  retry?: true;
  kind: ErrorKind;
}

const input = { ran: 'final', kind: 'input' } as const;
const config = { ran: 'not-executed', kind: 'config' } as const;
const auth = { ran: 'not-executed', kind: 'auth' } as const;

/**
 * Every code the package raises or knows from Bitrix24, with its facts. The user-facing text of a code is the shared
 * catalogue's `errors.<code>` (a test holds the catalogues and this table to the same set of codes).
 */
export const ERROR_FACTS = {
  // Bitrix24's answers.
  ACCESS_DENIED: { status: 403, ran: 'final', kind: 'refused' },
  ERROR_EMPTY_LOG_MESSAGE: { status: 400, ...input },
  ERROR_METHOD_NOT_FOUND: { status: 404, ran: 'final', kind: 'config' },
  ERROR_ACTIVITY_CLOSED: { status: 400, ran: 'final', kind: 'refused' },
  ERROR_BATCH_LENGTH_EXCEEDED: { status: 400, ran: 'not-executed', kind: 'internal' },
  QUERY_LIMIT_EXCEEDED: { status: 503, ran: 'not-executed', retry: true, kind: 'limit' },
  OPERATION_TIME_LIMIT: { status: 429, ran: 'not-executed', retry: true, kind: 'limit' },
  // A block by the vendor: the call did not run, and sending again would only prolong the block.
  OVERLOAD_LIMIT: { status: 503, ran: 'not-executed', kind: 'limit' },
  INTERNAL_SERVER_ERROR: { status: 500, ran: 'ambiguous', kind: 'refused' },
  NO_AUTH_FOUND: { status: 401, ran: 'not-executed', kind: 'auth' },
  expired_token: { status: 401, ran: 'not-executed', kind: 'auth' },
  invalid_token: { status: 401, ran: 'not-executed', kind: 'auth' },
  INVALID_CREDENTIALS: { status: 403, ran: 'not-executed', kind: 'auth' },
  insufficient_scope: { status: 403, ran: 'not-executed', kind: 'auth' },
  user_access_error: { status: 403, ran: 'final', kind: 'refused' },
  INVALID_REQUEST: { status: 400, ran: 'final', kind: 'refused' },
  PORTAL_DELETED: { status: 403, ran: 'not-executed', kind: 'config' },
  // Registration of activities and robots (bizproc.activity.* / bizproc.robot.*, docs "Возможные коды ошибок").
  ERROR_ACTIVITY_VALIDATION_FAILURE: { status: 400, ran: 'final', kind: 'refused' },
  ERROR_ACTIVITY_ALREADY_INSTALLED: { status: 400, ran: 'final', kind: 'refused' },
  ERROR_ACTIVITY_ADD_FAILURE: { status: 400, ran: 'final', kind: 'refused' },
  ERROR_ACTIVITY_NOT_FOUND: { status: 400, ran: 'final', kind: 'refused' },
  ERROR_UNSUPPORTED_PROTOCOL: { status: 400, ran: 'final', kind: 'config' },
  ERROR_WRONG_HANDLER_URL: { status: 400, ran: 'final', kind: 'config' },
  // The workflow engine's numeric codes, as the portal sends them in `error`: gone, and locked for the moment.
  '404': { status: 400, ran: 'final', kind: 'refused' },
  '423': { status: 400, ran: 'not-executed', retry: true, kind: 'refused' },

  // The package's own: input refused before anything was sent.
  INVALID_EVENT_TOKEN: input,
  EMPTY_LOG_MESSAGE: input,
  INVALID_LOG_MESSAGE: input,
  INVALID_RETURN_VALUES: input,
  INVALID_METHOD: input,
  INVALID_PARAMS: { ran: 'not-executed', kind: 'input' },
  PROPERTY_ERROR: input,
  INVALID_ACTIVITY_REQUEST: input,
  TOO_MANY_PAGES: { ran: 'not-executed', kind: 'input' },
  INVALID_ACTIVITY_DEFINITION: input,

  // Configuration.
  NO_PORTAL: config,
  INVALID_CONFIG: config,
  UNSUPPORTED_AUTH_TYPE: config,
  INVALID_WEBHOOK_URL: config,
  INVALID_PORTAL_URL: config,
  INVALID_AUTH_SERVER: config,
  DEPLOY_FIRST: config,
  TOO_MANY_AUTHORISATIONS: config,
  // An admin route named addresses other than the saved ones and relied on stored secrets: nothing was sent.
  RETYPE_SECRETS: config,
  // Registering needs the address Bitrix24 reaches this Node-RED at, and an application's own OAuth tokens.
  NO_PUBLIC_URL: config,
  INVALID_PUBLIC_URL: config,
  REGISTRATION_NEEDS_APPLICATION: config,
  // A renamed portal answers a redirect, which is never followed: following would resend the secret.
  PORTAL_MOVED: config,
  INVALID_REDIS_URL: config,

  // Authorisation: the call was stopped before it was sent.
  REAUTH_REQUIRED: auth,
  AUTH_EXPIRED: auth,
  AUTH_DOMAIN_MISMATCH: auth,
  INVALID_AUTH: auth,
  INVALID_CLIENT: auth,
  AUTH_SERVER_ERROR: auth,
  // The refresh may have reached the server (and used up the refresh token), but the call itself was never sent.
  AUTH_SERVER_UNREACHABLE: auth,
  TOKEN_STORE_UNAVAILABLE: auth,
  TOKEN_STORE_UNREADABLE: auth,
  TOKEN_STORE_WRITE_FAILED: auth,

  // Transport.
  NETWORK_ERROR: { retry: true, kind: 'network' },
  TIMEOUT: { ran: 'ambiguous', kind: 'network' },
  HTTP_ERROR: { kind: 'network' },
  // Any 2xx the package cannot read may have run: the portal answered after doing the work.
  INVALID_RESPONSE: { ran: 'ambiguous', kind: 'network' },

  // The shared state in Redis could not be used in time (a token refresh needs its lock): nothing was sent.
  SHARED_STATE_UNAVAILABLE: { ran: 'not-executed', retry: true, kind: 'shared' },

  // The queue.
  QUEUE_FULL: { ran: 'not-executed', kind: 'queue' },
  QUEUE_TIMEOUT: { ran: 'not-executed', kind: 'queue' },
  NODE_CLOSED: { ran: 'not-executed', kind: 'closed' },

  // A bug: whoever catches it says whether the call may have been sent.
  INTERNAL_ERROR: { kind: 'internal' },
} as const satisfies Record<string, ErrorFacts>;

/** A code the package knows. */
export type KnownErrorCode = keyof typeof ERROR_FACTS;

// Socket errors raised before a byte of the request left this machine: the portal cannot have run the call.
const NOT_CONNECTED_ERRNOS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const TIMEOUT_ERRNOS: ReadonlySet<string> = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/** The facts about `code`, or undefined for a code the package does not know (a new one from the portal). */
export function factsOf(code: string): ErrorFacts | undefined {
  return Object.prototype.hasOwnProperty.call(ERROR_FACTS, code) ? (ERROR_FACTS as Record<string, ErrorFacts>)[code] : undefined;
}

/** The HTTP status `code` has when its method is called alone; undefined when it has none of its own. */
export function statusOfCode(code: string): number | undefined {
  return factsOf(code)?.status;
}

/**
 * Whether a portal's error answer means the call ran: the table for known codes; for an unknown code, a 5xx may have
 * run (the server failed somewhere in the middle) and anything else is the portal's final word.
 */
export function certaintyOfAnswer(code: string, statusCode: number | undefined): DeliveryCertainty {
  const known = factsOf(code)?.ran;
  if (known !== undefined) return known;
  return (statusCode ?? 400) >= 500 ? 'ambiguous' : 'final';
}

/** What a socket error (axios' `code`, an errno) says about the call: it timed out, never left, or was cut off after. */
export function connectionFailureOf(errno: string): 'timeout' | 'not-connected' | 'lost' {
  if (TIMEOUT_ERRNOS.has(errno)) return 'timeout';
  if (NOT_CONNECTED_ERRNOS.has(errno)) return 'not-connected';
  return 'lost';
}

/** What a failure is about, for a node's status; `internal` for a code the package does not know and no status. */
export function kindOfCode(code: string, statusCode?: number): ErrorKind {
  const known = factsOf(code)?.kind;
  if (known !== undefined) return known;
  if (statusCode === 401) return 'auth';
  return statusCode !== undefined && statusCode >= 500 ? 'network' : 'refused';
}
