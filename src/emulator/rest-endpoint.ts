// One REST request, end to end, in the portal's order: injected fault, webhook auth, the leaky bucket, parameters,
// then the method (or `batch`), wrapped in the `{result, time}` envelope or answered as `{error, error_description}`.
// Faults that model a failure in front of the portal (proxy pages, resets, redirects) answer before auth and before
// the bucket, because such requests never reach the portal. With the OAuth side on, a call to `/rest/<method>` is
// authorised by its `auth` access token instead of the webhook path.

import { IncomingMessage, ServerResponse } from 'node:http';
import { AccessTokenGate } from './access-token-gate';
import { countBatchCommands, runBatch } from './batch';
import { Clock } from './clock';
import { CommandRunner } from './command-runner';
import { answerWithFault, dropConnection, proxyErrorPage } from './fault-replies';
import { Fault, FaultQueue } from './faults';
import { sendHtml, sendJson } from '../http/http-reply';
import { LeakyBucket } from './rate-bucket';
import { readRequestBody } from '../http/request-body';
import { RequestLog, RequestRecord } from './request-log';
import { buildResponseTime } from './response-time';
import { RestError, restErrors } from './rest-error';
import { parseRestParams } from './rest-params';
import type { CallerContext } from './rest-methods';
import { isAuthorised, WebhookRoute } from './webhook-route';

/** What the REST endpoint works with; the bucket is read per request because it can be replaced at run time. */
export interface RestEndpointParts {
  clock: Clock;
  userId: number;
  webhookSecret: string;
  faults: FaultQueue;
  requests: RequestLog;
  runner: CommandRunner;
  rateBucket: () => LeakyBucket | undefined;
  /** Present when the OAuth side is on: lets `/rest/<method>` calls in by their `auth` access token. */
  accessTokens?: AccessTokenGate;
}

interface Answer {
  status: number;
  body: unknown;
}

/** Handles requests under `/rest/`. */
export class RestEndpoint {
  private readonly delayedAnswers = new Set<NodeJS.Timeout>();

  /** An endpoint over these parts. */
  constructor(private readonly parts: RestEndpointParts) {}

  /** Answers one request whose path parsed as `route`. */
  async handle(request: IncomingMessage, response: ServerResponse, route: WebhookRoute, query: string): Promise<void> {
    const { clock, requests, userId, webhookSecret } = this.parts;
    const record = requests.open({
      at: clock.now(),
      httpMethod: request.method ?? 'GET',
      restMethod: route.method,
      commands: 1,
      status: 0,
      authorised: isAuthorised(route, userId, webhookSecret),
    });
    const body = await readRequestBody(request);
    if (!body.ok) {
      if (body.reason === 'too-large') {
        // Stop reading the rest of the upload: answer, then close the connection.
        response.once('finish', () => response.socket?.destroy());
        sendHtml(response, 413, proxyErrorPage(413), { Connection: 'close' });
      }
      requests.settle(record, body.reason === 'too-large' ? 413 : 0);
      return;
    }
    const fault = this.parts.faults.take(route.method);
    if (fault && fault.type !== 'lost-after' && fault.type !== 'delay') {
      requests.settle(record, answerWithFault(fault, response));
      return;
    }
    const answer = this.execute(request, route, query, body.bytes, record);
    this.deliver(answer, fault, response, record);
  }

  /** Cancels answers held back by delay faults (their sockets are being closed anyway). */
  cancelDelayedAnswers(): void {
    for (const timer of this.delayedAnswers) clearTimeout(timer);
    this.delayedAnswers.clear();
  }

  private execute(request: IncomingMessage, route: WebhookRoute, query: string, body: Buffer, record: RequestRecord): Answer {
    if (record.httpMethod !== 'GET' && record.httpMethod !== 'POST') return errorAnswer(restErrors.httpMethodNotAllowed());
    // Parsed before the checks so that the record counts a refused batch's commands too.
    const parsed = parseRestParams(query, request.headers['content-type'], body);
    if (parsed.ok && route.method === 'batch') record.commands = countBatchCommands(parsed.params);
    // A webhook's path authorises it; anything else got in with an application's access token, the only context
    // that may register activities and robots.
    const caller = { application: !record.authorised };
    if (!record.authorised) {
      const refusal = this.parts.accessTokens ? this.parts.accessTokens.refusal(route, query, parsed) : restErrors.noAuth();
      if (refusal) return errorAnswer(refusal);
      record.authorised = true;
    }
    // Authorised requests only: an attacker guessing secrets should not be able to lock out the real webhook.
    const bucket = this.parts.rateBucket();
    if (bucket && !bucket.tryAdmit(this.parts.clock.now())) return errorAnswer(restErrors.queryLimitExceeded());
    if (!parsed.ok) return errorAnswer(restErrors.invalidJson());
    if (route.method === 'batch') return this.executeBatch(parsed.params, caller);
    const outcome = this.parts.runner.run(route.method, parsed.params, caller);
    if (!outcome.ok) return errorAnswer(outcome.error);
    const paging = outcome.total === undefined ? {} : { total: outcome.total, ...(outcome.next === undefined ? {} : { next: outcome.next }) };
    return { status: 200, body: { result: outcome.result, ...paging, time: outcome.time } };
  }

  private executeBatch(params: Record<string, unknown>, caller: CallerContext): Answer {
    const start = this.parts.clock.now();
    let outcome: ReturnType<typeof runBatch>;
    try {
      outcome = runBatch(params, this.parts.runner, caller);
    } catch (error) {
      return errorAnswer(error instanceof RestError ? error : restErrors.internal());
    }
    const finish = this.parts.clock.now();
    // The batch itself costs no operating time; its envelope reports the busiest method it ran, the one to wait for.
    const busiest = [...outcome.times].sort((a, b) => b.operating - a.operating)[0];
    const operating = busiest
      ? { usedSeconds: busiest.operating, resetAtMs: busiest.operating_reset_at * 1000 }
      : { usedSeconds: 0, resetAtMs: finish };
    return { status: 200, body: { result: outcome.result, time: buildResponseTime(start, finish, operating) } };
  }

  private deliver(answer: Answer, fault: Fault | undefined, response: ServerResponse, record: RequestRecord): void {
    if (fault?.type === 'lost-after') {
      this.parts.requests.settle(record, 0);
      dropConnection(response);
      return;
    }
    this.parts.requests.settle(record, answer.status);
    if (fault?.type !== 'delay') {
      sendJson(response, answer.status, answer.body, allowHeader(answer.status));
      return;
    }
    const timer = setTimeout(() => {
      this.delayedAnswers.delete(timer);
      sendJson(response, answer.status, answer.body, allowHeader(answer.status));
    }, fault.ms);
    this.delayedAnswers.add(timer);
    response.once('close', () => {
      clearTimeout(timer);
      this.delayedAnswers.delete(timer);
    });
  }
}

function errorAnswer(error: RestError): Answer {
  return { status: error.status, body: error.toBody() };
}

function allowHeader(status: number): Record<string, string> {
  return status === 405 ? { Allow: 'GET, POST' } : {};
}
