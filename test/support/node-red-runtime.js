'use strict';
// A real Node-RED for end-to-end tests: a child process (node-red-process.js) with a fresh user directory into
// which this package is installed from its packed tarball, listening on 127.0.0.1 at a random port, driven only
// through its HTTP Admin API and its /comms websocket, as the editor drives it. Which Node-RED, under which Node, is
// the current line (node-red-lines.js): 4.1 on this Node unless scripts/test.js runs a block on another line.
//
//   const runtime = await startNodeRed();                  // packs + installs this package, starts Node-RED
//   const debug = await runtime.watchDebug();              // debug sidebar messages, as the editor receives them
//   await runtime.deploy(flows);                           // full deployment (credentials inline); waits for start
//   await runtime.inject('inject-node-id');                // POST /inject/<id>
//   const msg = await debug.next((m) => m.id === 'debug-node-id');   // m.msg: the message as the sidebar shows it
//   await runtime.stop();                                  // stops Node-RED, removes the user directory
//
// startNodeRed({ settings: { adminAuth }, env }) adds settings (then runtime.login(user, password)) and environment
// variables; request(method, path, {body|form}) reaches any Admin API or `http in` route.
//
// Admin and node routes share the root ('/') unless settings say otherwise: `runtime.url` is the admin root,
// `runtime.nodeUrl` the root of `http in` routes (`${runtime.nodeUrl}<path>`).
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { installPackedPackage } = require('./packed-package');
const { CommsListener } = require('./node-red-comms');
const { currentLine } = require('./node-red-lines');

/** How long Node-RED may take to start or stop on a loaded two-core machine. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** Keeps the end of the child's output for failure reports. */
const MAX_OUTPUT_CHARS = 64 * 1024;

/** Settings every test runtime gets; `startNodeRed({ settings })` overrides or adds to them. */
function defaultSettings(userDir) {
  return {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: 'bitrix24-e2e-credential-secret',
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    functionGlobalContext: {},
    logging: { console: { level: 'info', metrics: false, audit: false } },
    // Nothing that asks the user something or reaches the internet: no tour, no telemetry prompt, no catalogue.
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { palette: { allowInstall: false } },
  };
}

/** A root setting as a URL path with leading and trailing slashes. */
function rootPath(root) {
  return `/${String(root).replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
}

/** A running Node-RED child process and the Admin API calls tests need. */
class NodeRedRuntime {
  constructor(child, port, userDir, packageDir, readOutput, line, { httpAdminRoot = '/', httpNodeRoot = '/' } = {}) {
    this.child = child;
    /** The Node-RED line this runtime runs (node-red-lines.js): `line.version`, `line.title`, ... */
    this.line = line;
    /** Base URL of the editor and the Admin API, with a trailing slash. */
    this.url = `http://127.0.0.1:${port}${rootPath(httpAdminRoot)}`;
    /** Base URL of `http in` routes, with a trailing slash. */
    this.nodeUrl = `http://127.0.0.1:${port}${rootPath(httpNodeRoot)}`;
    /** The user directory (flows, credentials, node_modules). */
    this.userDir = userDir;
    /** Where the packed package was installed, or undefined when none was. */
    this.packageDir = packageDir;
    this.readOutput = readOutput;
    this.token = undefined;
    this.listeners = new Set();
  }

  /** Sends an Admin API (or `http in`) request; resolves with status, headers, text and the JSON body if any. */
  async request(method, urlPath, { body, headers = {}, form, token = this.token } = {}) {
    const init = { method, headers: { ...headers } };
    if (token !== undefined) init.headers.Authorization = `Bearer ${token}`;
    if (form !== undefined) {
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = form;
    } else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(new URL(urlPath.replace(/^\//, ''), this.url), init);
    const text = await response.text();
    let json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: json };
  }

  /** Logs in through the Admin API's password grant (asking for `scope`) and uses the token for later requests. */
  async login(username, password, scope = '*') {
    const answer = await this.request('POST', 'auth/token', {
      body: { client_id: 'node-red-admin', grant_type: 'password', scope, username, password },
      token: null,
    });
    if (answer.status !== 200) throw new Error(`login as ${username} failed: HTTP ${answer.status} ${answer.text}`);
    this.token = answer.body.access_token;
    return this.token;
  }

  /**
   * Replaces every flow (full deployment) and resolves with the new revision once Node-RED has started the flows.
   * POST /flows answers before they start; the runtime-deploy notification that follows says they have. Listening
   * starts before the POST, so a redeployment of identical flows (same revision) is not mistaken for done.
   */
  async deploy(flows) {
    const listener = await CommsListener.open(this.url, ['notification/runtime-deploy'], this.token);
    try {
      const answer = await this.request('POST', 'flows', {
        body: { flows },
        headers: { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v2' },
      });
      if (answer.status !== 200) throw new Error(`deploy failed: HTTP ${answer.status} ${answer.text}\n${this.output()}`);
      const { rev } = answer.body;
      await listener.next((data, _topic, retained) => !retained && data.revision === rev, START_TIMEOUT_MS);
      return rev;
    } finally {
      listener.close();
    }
  }

  /**
   * Resolves once Node-RED has started the flows of `revision`, deployed some other way (from the editor, say).
   * The last runtime-deploy notification is retained, so this works whether the start is still running or over.
   */
  async flowsStarted(revision) {
    const listener = await CommsListener.open(this.url, ['notification/runtime-deploy'], this.token);
    try {
      await listener.next((data) => data.revision === revision, START_TIMEOUT_MS);
    } finally {
      listener.close();
    }
  }

  /**
   * After a start on a kept user directory: resolves once the flows loaded from it have started. The Admin API may
   * answer before it has loaded them, so GET /flows is asked again until it names a revision.
   */
  async loadedFlowsStarted() {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const answer = await this.request('GET', 'flows', { headers: { 'Node-RED-API-Version': 'v2' } });
      if (answer.status === 200 && answer.body && typeof answer.body.rev === 'string') {
        await this.flowsStarted(answer.body.rev);
        return answer.body.rev;
      }
      if (Date.now() > deadline) throw new Error(`no flows revision after start: HTTP ${answer.status}\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The deployed flows as the Admin API returns them. */
  async flows() {
    const answer = await this.request('GET', 'flows');
    if (answer.status !== 200) throw new Error(`GET /flows failed: HTTP ${answer.status}`);
    return answer.body;
  }

  /** Triggers an inject node, as its button in the editor does. */
  async inject(id) {
    const answer = await this.request('POST', `inject/${encodeURIComponent(id)}`);
    if (answer.status !== 200) throw new Error(`inject ${id} failed: HTTP ${answer.status} ${answer.text}`);
  }

  /**
   * Opens the editor's websocket and collects what debug nodes publish (`{id, name, msg, format, ...}`, `msg` as
   * Node-RED serialised it); resolves once subscribed. `next(predicate)` waits for one.
   */
  async watchDebug() {
    const listener = await CommsListener.open(this.url, ['debug'], this.token);
    this.listeners.add(listener);
    return listener;
  }

  /** The end of Node-RED's console output so far, for failure messages. */
  output() {
    return this.readOutput();
  }

  /**
   * Stops Node-RED (killing it if it does not stop in time) and removes its user directory, unless `keepUserDir`
   * (to start Node-RED again on it: `startNodeRed({ userDir })`). Safe to call twice.
   */
  async stop({ keepUserDir = false } = {}) {
    for (const listener of this.listeners) listener.close();
    this.listeners.clear();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      if (this.child.connected) this.child.send({ type: 'stop' });
      else this.child.kill('SIGKILL');
      await exited;
      clearTimeout(timer);
    }
    if (!keepUserDir) fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

/**
 * Starts Node-RED in a child process with a fresh user directory, or on `userDir` kept from an earlier run (a
 * restart: flows, credentials and the package are already there). By default this package is packed and installed
 * into a fresh directory first (`installPackage: false` skips that). `settings` are merged over defaultSettings();
 * `env` is added to the child's environment (for `${ENV}` properties and `env` TypedInputs).
 */
async function startNodeRed({ installPackage = true, settings = {}, env = {}, userDir: kept } = {}) {
  const userDir = kept ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bitrix24-node-red-'));
  let packageDir;
  try {
    if (installPackage && kept === undefined) packageDir = await installPackedPackage(userDir);
  } catch (error) {
    fs.rmSync(userDir, { recursive: true, force: true });
    throw error;
  }
  const line = currentLine();
  const child = fork(path.join(__dirname, 'node-red-process.js'), [line.module], {
    execPath: line.execPath,
    cwd: userDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // A message that cannot reach a dying child is reported as an 'error' event: record it instead of crashing.
  child.on('error', (error) => {
    output += `\n[harness] child process error: ${error.message}\n`;
  });
  const readOutput = () => output;

  const merged = { ...defaultSettings(userDir), ...settings };
  let port;
  let timer;
  try {
    port = await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Node-RED did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.on('message', (message) => {
        if (message.type === 'ready') resolve(message.port);
        if (message.type === 'failed') reject(new Error(`Node-RED failed to start: ${message.message}`));
      });
      child.once('exit', (code, signal) => reject(new Error(`Node-RED exited during start (code ${code}, signal ${signal})`)));
      child.send({ type: 'start', settings: merged });
    });
  } catch (error) {
    const runtime = new NodeRedRuntime(child, 0, userDir, packageDir, readOutput, line);
    await runtime.stop();
    error.message += `\n--- Node-RED output ---\n${output}`;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return new NodeRedRuntime(child, port, userDir, packageDir, readOutput, line, merged);
}

module.exports = { startNodeRed, NodeRedRuntime, defaultSettings };
