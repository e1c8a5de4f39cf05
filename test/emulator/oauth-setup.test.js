'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { Bitrix24Emulator } = require('./emulator-harness');
const { CLIENT_ID, CLIENT_SECRET } = require('./oauth-harness');

describe('OAuth options', () => {
  const app = (extra) => ({ oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra } });

  it('refuses unusable credentials, lifetimes, member ids and handler URLs', () => {
    for (const extra of [
      { clientId: '' },
      { clientSecret: 'has space' },
      { accessTokenTtlSeconds: 0 },
      { refreshTokenTtlSeconds: Number.POSITIVE_INFINITY },
      { memberId: 'a/b' },
      { redirectUri: 'ftp://app.example.test/' },
      { redirectUri: 'not a url' },
    ]) {
      assert.throws(() => new Bitrix24Emulator(app(extra)), RangeError, JSON.stringify(extra));
    }
  });

  it('defaults to a 32-hex member id and the lifetimes of Bitrix24', async () => {
    const emulator = new Bitrix24Emulator({ ...app({}), rateLimit: false });
    await emulator.start();
    try {
      const issued = Date.now();
      const { expiresAt } = emulator.issueTokens();
      assert.ok(Math.abs(expiresAt - issued - 3600_000) < 5000);
      const approved = await fetch(`${emulator.url}/oauth/authorize/?client_id=${CLIENT_ID}&redirect_uri=http://127.0.0.1:1/`, { redirect: 'manual' });
      await approved.text();
      assert.match(new URL(approved.headers.get('location')).searchParams.get('member_id'), /^[0-9a-f]{32}$/);
    } finally {
      await emulator.stop();
    }
  });
});

describe('emulator CLI with an OAuth application', () => {
  const cli = path.join(__dirname, '..', '..', 'dist', 'emulator', 'cli.js');

  it('prints the authorize and token URLs but never the client secret, and serves the token server', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--no-limit', '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!/Press Ctrl\+C/.test(output)) {
        const [chunk] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => { throw new Error(`exited: ${output}`); })]);
        output += chunk;
      }
      assert.equal(output.includes(CLIENT_SECRET), false);
      const authorizeUrl = /Authorize: +(\S+)/.exec(output)[1];
      assert.match(authorizeUrl, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\/\?client_id=local\.65a1b2c3d4e5f6\.12345678&redirect_uri=<handler-url>$/);
      const tokenUrl = /Token URL: +(\S+)/.exec(output)[1];
      assert.match(tokenUrl, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/token\/$/);
      const refused = await fetch(`${tokenUrl}?grant_type=refresh_token&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&refresh_token=x`);
      assert.equal(refused.status, 400);
      assert.equal((await refused.json()).error, 'invalid_grant');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      assert.equal((await exited)[0], 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a client id without a secret with exit code 2', async () => {
    const child = spawn(process.execPath, [cli, '--client-id', CLIENT_ID], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => { errors += chunk; });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(errors, /--client-id and --client-secret go together/);
  });
});
