'use strict';
// Shared set-up for the OAuth tests: an emulator with one registered application, REST calls the way an application
// makes them (`/rest/<method>` with `auth`), token-server calls, and the authorisation page without following redirects.
const { startEmulator, callRest } = require('./emulator-harness');

const CLIENT_ID = 'local.65a1b2c3d4e5f6.12345678';
const CLIENT_SECRET = 'Zq8vTt3xWm2NpL5kRb9cYd4fHg7jKs1a';
const TOKEN_SHAPE = /^[0-9a-f]{72}$/;

/** Starts an emulator with the OAuth side on; `oauth` overrides the application's options. */
function startOAuthEmulator({ oauth = {}, ...options } = {}) {
  return startEmulator({ ...options, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...oauth } });
}

/** Calls a REST method on the application endpoint with `auth` among the parameters (unless `auth` is undefined). */
function callApp(emulator, method, auth, params = {}, options = {}) {
  const withAuth = auth === undefined ? params : { ...params, auth };
  return callRest(emulator, method, withAuth, { ...options, base: `${emulator.url}/rest/` });
}

/**
 * Calls the token server: a form POST by default, `json: true` for a JSON body, `httpMethod: 'GET'` for a query,
 * `path` for another spelling of the route.
 */
async function requestToken(emulator, params, { json = false, httpMethod = 'POST', path = '/oauth/token/' } = {}) {
  let target = `${emulator.url}${path}`;
  const init = { method: httpMethod, headers: {} };
  if (httpMethod === 'GET') {
    target += `?${new URLSearchParams(params)}`;
  } else if (json) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(params);
  } else {
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(params).toString();
  }
  const response = await fetch(target, init);
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A refresh through the token server with the registered client. */
function refresh(emulator, refreshToken, extra = {}) {
  return requestToken(emulator, {
    grant_type: 'refresh_token',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    refresh_token: refreshToken,
    ...extra,
  });
}

/** Opens the authorisation page with this query; the redirect is returned, not followed. */
async function authorize(emulator, query) {
  const response = await fetch(`${emulator.url}/oauth/authorize/?${new URLSearchParams(query)}`, { redirect: 'manual' });
  const text = await response.text();
  const location = response.headers.get('location');
  return { status: response.status, headers: response.headers, text, location: location === null ? undefined : new URL(location) };
}

module.exports = { startOAuthEmulator, callApp, requestToken, refresh, authorize, CLIENT_ID, CLIENT_SECRET, TOKEN_SHAPE };
