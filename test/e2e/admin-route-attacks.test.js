'use strict';
// The portal node's admin routes under attack, in a real Node-RED (packed package, no adminAuth: the layout in which
// any page the editor's browser opens could reach them): stored secrets go only to the saved portal and OAuth server
// addresses, the routes that act take JSON only, and the OAuth callback holds the portal to its domain and answers
// every failure with its fixed page.
const assert = require('node:assert/strict');
const http = require('node:http');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');

const CLIENT_ID = 'local.admin.attack';
const CLIENT_SECRET = 'AdminAttackClientSecret93';
const PORTAL_ID = 'admin-attack-portal';

/** An HTTP server on 127.0.0.1 standing for a host the attacker chose: it records what reaches it. */
class RecordingServer {
  constructor(answer) {
    this.received = [];
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        this.received.push({ url: request.url, body });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      });
    });
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}/`;
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

describe('portal admin routes under attack (real Node-RED)', function () {
  this.timeout(90_000);
  let emulator;
  let attacker;
  let runtime;
  let refreshToken;
  let callbackUrl;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    // Answers a token pair for another portal, as an attacker's or a confused OAuth server would.
    attacker = new RecordingServer({ access_token: 'foreignAccess', refresh_token: 'foreignRefresh', expires_in: 3600, client_endpoint: 'https://other.example/rest/', domain: 'other.example' });
    await attacker.start();
    runtime = await startNodeRed();
    callbackUrl = `${runtime.url}bitrix24-portal/oauth/callback`;
    refreshToken = emulator.issueTokens().refreshToken;
    await runtime.deploy([
      {
        id: PORTAL_ID,
        type: 'bitrix24-portal',
        name: 'saved',
        authType: 'oauth',
        portalUrl: emulator.url,
        authServer: `${emulator.url}/`,
        credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken },
      },
    ]);
  });
  after(async () => {
    await runtime?.stop();
    await attacker?.stop();
    await emulator?.stop();
  });
  afterEach(() => {
    for (const { body, url } of attacker.received) {
      assert.ok(!body.includes(CLIENT_SECRET) && !body.includes(refreshToken) && !url.includes(CLIENT_SECRET), 'a stored secret reached the attacker');
    }
  });

  const start = (body) => runtime.request('POST', 'bitrix24-portal/oauth/start', { body: { id: PORTAL_ID, clientId: CLIENT_ID, callbackUrl, ...body } });
  const test = (body) => runtime.request('POST', 'bitrix24-portal/test', { body: { id: PORTAL_ID, ...body } });

  describe('point 11: stored secrets go only to the saved addresses', () => {
    it('OAuth start with another OAuth server or portal needs the client secret typed anew', async () => {
      const cases = [
        { portalUrl: emulator.url, authServer: attacker.url, clientSecret: '__PWRD__' },
        { portalUrl: emulator.url, authServer: attacker.url, clientSecret: '' },
        { portalUrl: emulator.url, authServer: attacker.url },
        { portalUrl: attacker.url, authServer: `${emulator.url}/`, clientSecret: '__PWRD__' },
        { id: 'never-deployed', portalUrl: emulator.url, authServer: `${emulator.url}/`, clientSecret: '__PWRD__' },
      ];
      for (const body of cases) {
        const answer = await start(body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.code, 'RETYPE_SECRETS', JSON.stringify(body));
      }
      assert.equal(attacker.received.length, 0);
    });

    it('OAuth start at the saved addresses, spelled differently, still uses the stored secret', async () => {
      const answer = await start({ portalUrl: `${emulator.url.toUpperCase().replace('HTTP://', 'http://')}/rest`, authServer: emulator.url, clientSecret: '__PWRD__' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(new URL(answer.body.authorizeUrl).origin, emulator.url);
    });

    it('OAuth start with new addresses and a newly typed secret is a new authorisation, allowed', async () => {
      const answer = await start({ portalUrl: emulator.url, authServer: attacker.url, clientSecret: 'typed-anew' });
      assert.equal(answer.status, 200, answer.text);
    });

    it('Test connection with another portal or OAuth server and untouched secrets sends nothing', async () => {
      const credentials = { clientId: CLIENT_ID, clientSecret: '__PWRD__', refreshToken: '__PWRD__', accessToken: '__PWRD__' };
      for (const addresses of [{ portalUrl: attacker.url, authServer: `${emulator.url}/` }, { portalUrl: emulator.url, authServer: attacker.url }]) {
        const answer = await test({ authType: 'oauth', ...addresses, credentials });
        assert.equal(answer.status, 200);
        assert.equal(answer.body.connected, false);
        assert.equal(answer.body.code, 'RETYPE_SECRETS');
        assert.match(answer.body.message, /type the client secret and tokens again/);
      }
      // Left out entirely, the stored secrets are simply not used there.
      const leftOut = await test({ authType: 'oauth', portalUrl: attacker.url, authServer: attacker.url, credentials: { clientId: CLIENT_ID } });
      assert.equal(leftOut.body.connected, false);
      assert.equal(attacker.received.length, 0);
    });

    it('Test connection at the saved addresses uses the deployed portal', async () => {
      const answer = await test({ authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`, credentials: { clientId: CLIENT_ID, clientSecret: '__PWRD__', refreshToken: '__PWRD__' } });
      assert.equal(answer.body.connected, true, JSON.stringify(answer.body));
      assert.equal(answer.body.bizproc, true);
    });

    it('the routes that act take application/json only: 415 for what a cross-site form can send', async () => {
      const bodies = [
        ['application/x-www-form-urlencoded', `id=${PORTAL_ID}&authType=oauth&portalUrl=${encodeURIComponent(attacker.url)}`],
        ['text/plain', JSON.stringify({ id: PORTAL_ID, authType: 'oauth', portalUrl: attacker.url })],
        ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="id"\r\n\r\n${PORTAL_ID}\r\n--x--\r\n`],
      ];
      for (const path of ['bitrix24-portal/test', 'bitrix24-portal/oauth/start']) {
        for (const [type, body] of bodies) {
          const raw = await fetch(new URL(path, runtime.url), { method: 'POST', headers: { 'Content-Type': type }, body });
          assert.equal(raw.status, 415, `${path} ${type}`);
          assert.equal((await raw.json()).code, 'UNSUPPORTED_MEDIA_TYPE');
        }
      }
      assert.equal(attacker.received.length, 0);
    });
  });

  describe('point 12: the OAuth callback', () => {
    /** Starts an authorisation and follows the emulator's approval: the callback's query, as the portal sends it. */
    async function approvedCallback(body = {}) {
      const started = await start({ portalUrl: emulator.url, authServer: `${emulator.url}/`, clientSecret: '__PWRD__', ...body });
      assert.equal(started.status, 200, started.text);
      const redirect = await fetch(started.body.authorizeUrl, { redirect: 'manual' });
      assert.equal(redirect.status, 302);
      return new URL(redirect.headers.get('location')).searchParams;
    }

    /** The callback's answer must be the fixed page: small HTML, no stack trace, no path. */
    async function callback(query) {
      const answer = await runtime.request('GET', `bitrix24-portal/oauth/callback?${query}`);
      assert.match(String(answer.headers.get('content-type')), /^text\/html/);
      assert.doesNotMatch(answer.text, /<pre>|node_modules|\bat \S+ \(/);
      assert.ok(answer.text.length < 400, answer.text);
      return answer;
    }

    const outcome = async () => (await runtime.request('GET', `bitrix24-portal/oauth/status/${PORTAL_ID}`)).body;

    it('refuses a callback without domain', async () => {
      const query = await approvedCallback();
      query.delete('domain');
      assert.equal((await callback(query)).status, 400);
      assert.deepEqual(await outcome(), { status: 'failed', code: 'AUTH_DOMAIN_MISMATCH' });
    });

    it('refuses a token answer for another portal, and keeps nothing of it', async () => {
      const query = await approvedCallback({ authServer: attacker.url, clientSecret: 'typed-for-this-server' });
      const before = attacker.received.length;
      assert.equal((await callback(query)).status, 400);
      assert.equal(attacker.received.length, before + 1, 'the code was exchanged there, with the secret typed for it');
      assert.deepEqual(await outcome(), { status: 'failed', code: 'AUTH_DOMAIN_MISMATCH' });
      const stillWorks = await test({ authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`, credentials: { clientId: CLIENT_ID, clientSecret: '__PWRD__', refreshToken: '__PWRD__' } });
      assert.equal(stillWorks.body.connected, true, 'the deployed portal kept its own tokens');
    });

    it('accepts the genuine callback', async () => {
      const query = await approvedCallback();
      assert.equal((await callback(query)).status, 200);
      assert.deepEqual(await outcome(), { status: 'authorised' });
    });

    it('validates the OAuth server address at start, not at the callback', async () => {
      for (const authServer of ['ftp://127.0.0.1/', 'http://example.com/', 'not a url', 'https://user:pw@127.0.0.1/']) {
        const answer = await start({ portalUrl: emulator.url, authServer, clientSecret: 'typed' });
        assert.equal(answer.status, 400);
        assert.equal(answer.body.code, 'INVALID_AUTH_SERVER', authServer);
      }
    });

    it('answers odd callbacks with the fixed page', async () => {
      for (const query of ['state[]=1&code[]=2&domain[]=3', 'state=%E0%A4%A', '', `state=${'a'.repeat(5000)}`]) {
        assert.equal((await callback(query)).status, 400, query);
      }
    });
  });
});
