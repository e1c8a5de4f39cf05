// The errors the emulated portal answers with, with the codes, texts and HTTP statuses Bitrix24 uses where they are
// known (see docs/bitrix24-api.md); where the portal's answer is unknown the choice is explained at the factory.

/** A REST error: the HTTP status and the `{error, error_description}` body. */
export class RestError extends Error {
  /** An error answered with `status` and body `{error: code, error_description: description}`. */
  constructor(
    readonly status: number,
    readonly code: string | number,
    readonly description: string,
  ) {
    super(`${String(code)}: ${description}`);
    this.name = 'RestError';
  }

  /** The JSON body the portal sends. */
  toBody(): { error: string | number; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** The portal's errors, one factory each. */
export const restErrors = {
  noAuth: (): RestError => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'),
  methodNotFound: (): RestError => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
  accessDenied: (): RestError => new RestError(403, 'ACCESS_DENIED', 'Access denied!'),
  applicationContextRequired: (): RestError => new RestError(403, 'ACCESS_DENIED', 'Application context required'),
  insufficientScope: (): RestError =>
    new RestError(403, 'insufficient_scope', 'The request requires higher privileges than provided by the webhook token'),
  emptyLogMessage: (): RestError => new RestError(400, 'ERROR_EMPTY_LOG_MESSAGE', 'Empty log message!'),
  queryLimitExceeded: (): RestError => new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'),
  operationTimeLimit: (): RestError =>
    new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'),
  batchLengthExceeded: (): RestError => new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded'),
  batchMethodNotAllowed: (): RestError =>
    new RestError(400, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage'),
  // The portal's answer to a broken JSON body is undocumented. INVALID_REQUEST is a code the portal really uses for
  // malformed requests (400, "Https required"), so clients already treat it as a non-retryable caller error.
  invalidJson: (): RestError => new RestError(400, 'INVALID_REQUEST', 'Request body is not valid JSON'),
  // Undocumented too: the engine refuses an event for an activity that no longer waits. A distinct code keeps it apart
  // from a deleted workflow (404), which a client may handle differently.
  activityClosed: (): RestError =>
    new RestError(400, 'ERROR_ACTIVITY_CLOSED', 'The activity is not waiting for an event (already answered or timed out)'),
  workflowNotFound: (asNumber: boolean): RestError => new RestError(400, asNumber ? 404 : '404', 'Workflow instance not found'),
  workflowLocked: (asNumber: boolean): RestError => new RestError(400, asNumber ? 423 : '423', 'Workflow instance is locked'),
  httpMethodNotAllowed: (): RestError => new RestError(405, 'METHOD_NOT_ALLOWED', 'Use GET or POST'),
  internal: (): RestError => new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
};
