// The emulated portal as one object: a real HTTP server that answers the REST calls this package makes the way
// Bitrix24 does, plus the controls tests need (start workflows, read their logs, lock or delete them, inject faults,
// read the request record). It is the demo's default portal and a tool users can point their own flows at. With the
// `oauth` option it is also an application's portal: token server, authorisation page, `auth` tokens on REST calls.

import { ActivityDispatcher, DispatchActivityOptions, DispatchedActivity, newMemberId } from './activity-dispatch';
import { ActivityRoutes } from './activity-routes';
import { AppRegistration, AppRegistrations } from './app-registrations';
import { RegisteredStarts, StartRegisteredOptions } from './registered-start';
import { renderRegistrationList } from './registration-pages';
import { RegistrationRoutes } from './registration-routes';
import { Clock } from './clock';
import { Deal, DealStore } from './crm-deals';
import { CommandRunner } from './command-runner';
import { ConsoleRoutes } from './console-routes';
import { checkedRateLimit, EmulatorOptions, RateLimit, resolveEmulatorOptions } from './emulator-options';
import { EventTokenSigner } from './event-token';
import { Fault, FaultOptions, FaultQueue } from './faults';
import { EmulatorHttpServer } from './http-server';
import { OAuthRequestRecord } from './oauth-request-log';
import { OAuthServer } from './oauth-server';
import { IssuedTokens } from './oauth-tokens';
import { OperatingBudget } from './operating-budget';
import { LeakyBucket } from './rate-bucket';
import { RequestLog, RequestRecord } from './request-log';
import { RestEndpoint } from './rest-endpoint';
import { createRestMethods } from './rest-methods';
import { LogLine, StartedWorkflow, StartWorkflowOptions, WorkflowStore } from './workflow-store';

/** A Bitrix24 portal on 127.0.0.1 for tests, demos and trying flows without a real portal. */
export class Bitrix24Emulator {
  /** The secret in the webhook path. */
  readonly webhookSecret: string;
  /** The user id in the webhook path. */
  readonly userId: number;
  /** The installed application's token, sent as `auth[application_token]` with activity requests and ONAPPINSTALL. */
  readonly applicationToken: string;

  private readonly host: string;
  private readonly port: number;
  private readonly clock: Clock;
  private readonly store: WorkflowStore;
  private readonly deals = new DealStore();
  private readonly signer = new EventTokenSigner();
  private readonly faults = new FaultQueue();
  private readonly requestLog = new RequestLog();
  private readonly server: EmulatorHttpServer;
  private readonly oauth: OAuthServer | undefined;
  private readonly dispatcher: ActivityDispatcher;
  private readonly registrations: AppRegistrations;
  private readonly starts: RegisteredStarts;
  private rateLimit: RateLimit | false;
  private bucket: LeakyBucket | undefined;
  private baseUrl: string | undefined;

  /** An emulator that is not listening yet; see EmulatorOptions for the defaults. */
  constructor(options: EmulatorOptions = {}) {
    const resolved = resolveEmulatorOptions(options);
    this.webhookSecret = resolved.webhookSecret;
    this.userId = resolved.userId;
    this.applicationToken = resolved.applicationToken;
    this.host = resolved.host;
    this.port = resolved.port;
    this.clock = resolved.clock;
    this.store = new WorkflowStore(this.signer);
    this.rateLimit = resolved.rateLimit;
    this.bucket = this.newBucket();
    // The docs: a HANDLER must be on the domain the application is installed on, here its registered address.
    const applicationHost = (): string | undefined => resolved.oauth?.redirectUri?.hostname;
    this.registrations = new AppRegistrations(applicationHost);
    const methods = createRestMethods({
      store: this.store,
      deals: this.deals,
      registrations: this.registrations,
      userId: resolved.userId,
      scopes: resolved.scopes,
      engineErrorCodeAsNumber: resolved.engineErrorCodeAsNumber,
    });
    const budget = resolved.operatingLimit === false ? undefined : new OperatingBudget(resolved.operatingLimit);
    const runner = new CommandRunner(methods, new Set(resolved.scopes), this.clock, budget);
    const portal = { userId: this.userId, scopes: resolved.scopes };
    this.oauth = resolved.oauth && new OAuthServer(resolved.oauth, this.clock, () => ({ ...portal, url: this.url }));
    const rest = new RestEndpoint({
      clock: this.clock,
      userId: this.userId,
      webhookSecret: this.webhookSecret,
      faults: this.faults,
      requests: this.requestLog,
      runner,
      rateBucket: () => this.bucket,
      accessTokens: this.oauth?.gate,
    });
    const consoleRoutes = new ConsoleRoutes({
      store: this.store,
      clock: this.clock,
      userId: this.userId,
      webhookSecret: this.webhookSecret,
      rateLimitText: () => (this.rateLimit === false ? 'off' : `${this.rateLimit.burst} burst, ${this.rateLimit.drainPerSecond}/s`),
      registrationList: () => renderRegistrationList(this.registrations.all()),
    });
    this.dispatcher = new ActivityDispatcher({
      store: this.store,
      clock: this.clock,
      baseUrl: () => this.url,
      userId: this.userId,
      applicationToken: this.applicationToken,
      memberId: newMemberId(),
      ...(this.oauth === undefined ? {} : { issueTokens: () => this.issueTokens() }),
    });
    this.starts = new RegisteredStarts(this.registrations, this.dispatcher);
    const registrationRoutes = new RegistrationRoutes(this.starts, () => this.registrationsNow(), applicationHost);
    this.server = new EmulatorHttpServer(rest, [consoleRoutes, new ActivityRoutes(this.dispatcher), registrationRoutes], this.oauth);
  }

  /** The base URL, e.g. `http://127.0.0.1:41234`; only known once started. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('Bitrix24Emulator: url is known only after start()');
    return this.baseUrl;
  }

  /** Every REST request received since the last reset, in arrival order (no secrets, no tokens). */
  get requests(): ReadonlyArray<Readonly<RequestRecord>> {
    return this.requestLog.records;
  }

  /** Starts listening. */
  async start(): Promise<void> {
    if (this.baseUrl !== undefined) throw new Error('Bitrix24Emulator: already started');
    const address = await this.server.listen(this.host, this.port);
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    this.baseUrl = `http://${host}:${address.port}`;
  }

  /** Stops listening and closes every open connection, keep-alive ones too. Safe to call twice. */
  async stop(): Promise<void> {
    await this.server.close();
  }

  /** The incoming-webhook base URL: `${url}/rest/${userId}/${webhookSecret}/`. */
  webhookUrl(): string {
    return `${this.url}/rest/${this.userId}/${this.webhookSecret}/`;
  }

  /** The token-server calls so far, oldest first (no secrets, codes or tokens); empty when the OAuth side is off. */
  get oauthRequests(): ReadonlyArray<Readonly<OAuthRequestRecord>> {
    return this.oauth?.requests ?? [];
  }

  /** Seeds a token pair as if the application had just been installed; needs the `oauth` option. */
  issueTokens(): IssuedTokens {
    return this.oauthSide('issueTokens').issueTokens();
  }

  /** Every access token issued so far expires now (refresh tokens keep working); needs the `oauth` option. */
  expireAccessTokens(): void {
    this.oauthSide('expireAccessTokens').expireAccessTokens();
  }

  /** Starts a workflow whose activity waits for log lines and an answer. */
  startWorkflow(options: StartWorkflowOptions = {}): StartedWorkflow {
    return this.store.start(options, this.clock.now());
  }

  /**
   * Plays the portal reaching an application's activity: starts a workflow whose activity waits, and POSTs its
   * activity request (form-encoded, the fields of a real one, with this emulator's application token unless another
   * is given) to `handlerUrl`. Resolves with the workflow, its event token and the handler's HTTP status; rejects with
   * a HandlerUnreachableError (naming the workflow, which still waits) when the handler cannot be reached.
   */
  dispatchActivity(options: DispatchActivityOptions): Promise<DispatchedActivity> {
    return this.dispatcher.dispatchActivity(options);
  }

  /** The activities and robots the application has registered (bizproc.activity.add / bizproc.robot.add), oldest first. */
  registrationsNow(): AppRegistration[] {
    return this.registrations.all();
  }

  /**
   * Plays a business process reaching a registered activity or robot: starts a workflow and POSTs its request to the
   * registration's HANDLER with the registered code, these property values (the rest their Default) and the
   * registered USE_SUBSCRIPTION. Rejects with UnknownRegistrationError, or HandlerUnreachableError.
   */
  startRegistered(options: StartRegisteredOptions): Promise<DispatchedActivity> {
    return this.starts.start(options);
  }

  /** Plays the application's installation: POSTs ONAPPINSTALL with the application token to `handlerUrl`. */
  dispatchInstall(options: { handlerUrl: string; applicationToken?: string }): Promise<{ status: number }> {
    return this.dispatcher.dispatchInstall(options);
  }

  /** Adds `count` deals as crm.deal.add would (titles `Deal 1`, `Deal 2`, ... unless `fields` says otherwise); their ids. */
  seedDeals(count: number, fields: Record<string, string> = {}): number[] {
    const ids: number[] = [];
    for (let index = 1; index <= count; index += 1) {
      ids.push(this.deals.add({ FIELDS: { TITLE: `Deal ${index}`, ...fields } }, this.clock.now()));
    }
    return ids;
  }

  /** Every deal the portal holds, oldest first. */
  dealsNow(): Deal[] {
    return this.deals.all();
  }

  /** The workflow's log lines, oldest first (empty for an unknown id). */
  logOf(workflowId: string): Array<{ message: string; at: number }> {
    return (this.store.find(workflowId)?.log ?? []).map((line: LogLine) => ({ ...line }));
  }

  /** The RETURN_VALUES bizproc.event.send delivered, or undefined before that (or for an unknown id). */
  returnValuesOf(workflowId: string): Record<string, unknown> | undefined {
    const values = this.store.find(workflowId)?.returnValues;
    return values === undefined ? undefined : structuredClone(values);
  }

  /** Closes the activity as if answered or timed out: later log calls answer true and write nothing. */
  closeActivity(eventToken: string): void {
    const workflow = this.store.findByToken(eventToken);
    if (!workflow) throw new RangeError('closeActivity: not an event token issued by this emulator');
    workflow.activityClosed = true;
  }

  /** Locks or unlocks a workflow; while locked, bizproc calls answer HTTP 400 with error 423. */
  lockWorkflow(workflowId: string, locked: boolean): void {
    this.store.get(workflowId).locked = locked;
  }

  /** Deletes a workflow; afterwards bizproc calls answer HTTP 400 with error 404. */
  deleteWorkflow(workflowId: string): void {
    this.store.get(workflowId).deleted = true;
  }

  /** Applies `fault` to the next `times` (default 1) REST requests, optionally only those of one REST method. */
  injectFault(fault: Fault, options?: FaultOptions): void {
    this.faults.add(fault, options);
  }

  /** Drops every fault not yet applied. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Forgets the recorded requests. */
  resetRequests(): void {
    this.requestLog.reset();
  }

  /**
   * Resolves once `count` requests recorded since the last reset have been handled (executed or refused; a delayed
   * answer may still be on its way). Lets tests wait for a request without sleeping.
   */
  waitForRequests(count: number): Promise<void> {
    return this.requestLog.waitForSettled(count);
  }

  /** Changes the rate limit at run time; the bucket starts empty. */
  setRateLimit(limit: RateLimit | false): void {
    this.rateLimit = checkedRateLimit(limit);
    this.bucket = this.newBucket();
  }

  private oauthSide(control: string): OAuthServer {
    if (!this.oauth) throw new Error(`Bitrix24Emulator: ${control}() needs the oauth option`);
    return this.oauth;
  }

  private newBucket(): LeakyBucket | undefined {
    return this.rateLimit === false ? undefined : new LeakyBucket(this.rateLimit, this.clock.now());
  }
}

/** Starts an emulator on 127.0.0.1 (a free port unless `options.port` says otherwise) and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Bitrix24Emulator> {
  const emulator = new Bitrix24Emulator(options);
  await emulator.start();
  return emulator;
}
