'use strict';
// Shared set-up for the emulator tests: an emulator on a random port with a frozen clock, and a tiny REST caller
// over real sockets (Node's fetch).
const { Bitrix24Emulator, ManualClock } = require('../../dist/emulator');
const { encodePhpQuery } = require('../../dist/bitrix24/php-query');

/** Starts an emulator (no rate limit unless asked) with a ManualClock; returns both. */
async function startEmulator(options = {}) {
  const clock = options.clock || new ManualClock();
  const emulator = new Bitrix24Emulator({ rateLimit: false, ...options, clock });
  await emulator.start();
  return { emulator, clock };
}

/** Calls a REST method: JSON body by default, `form: true` for a PHP form body, `httpMethod: 'GET'` for a query. */
async function callRest(emulator, method, params = {}, { form = false, httpMethod = 'POST', base, headers = {}, rawBody } = {}) {
  let target = `${base || emulator.webhookUrl()}${method}`;
  const init = { method: httpMethod, headers: { ...headers } };
  if (httpMethod === 'GET') {
    const query = encodePhpQuery(params);
    if (query) target += `?${query}`;
  } else if (rawBody !== undefined) {
    init.body = rawBody;
  } else if (form) {
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = encodePhpQuery(params);
  } else {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(params);
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

/** Logs one line with a JSON body. */
function logLine(emulator, eventToken, message) {
  return callRest(emulator, 'bizproc.activity.log', { EVENT_TOKEN: eventToken, LOG_MESSAGE: message });
}

module.exports = { startEmulator, callRest, logLine, Bitrix24Emulator, ManualClock, encodePhpQuery };
