'use strict';
// A real redis-server (Debian's package) for tests: its own process on 127.0.0.1, a free port, a temporary directory,
// never a system service. Ready when it says so on its console; stopped with SIGTERM (it saves, as Debian's does on
// shutdown), and started again on the same port and directory to play a restart.
//
//   const redis = await startRedis({ password: 'pw' });   // redis.url: redis://:pw@127.0.0.1:<port>
//   await redis.stop();  await redis.start();              // a restart, data kept (append-only file)
//   await redis.remove();                                  // stops it and deletes its directory
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./free-port');

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || '/usr/bin/redis-server';
const START_TIMEOUT_MS = 20_000;
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'redis-tls');


/** One redis-server process, which can be stopped and started again on the same port and data directory. */
class RedisServer {
  constructor({ password, tls = false } = {}) {
    this.password = password;
    this.tls = tls;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitrix24-redis-'));
    this.port = undefined;
    this.child = undefined;
    this.output = '';
  }

  /** `redis://` (or `rediss://`) with the password, when there is one. */
  get url() {
    const auth = this.password === undefined ? '' : `:${encodeURIComponent(this.password)}@`;
    return `${this.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`;
  }

  /** The CA that signed the TLS server's certificate (for `tls: true`). */
  static get caFile() {
    return path.join(FIXTURES, 'ca.crt');
  }

  arguments() {
    const args = ['--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--logfile', ''];
    if (this.tls) {
      args.push('--port', '0', '--tls-port', String(this.port), '--tls-cert-file', path.join(FIXTURES, 'server.crt'));
      args.push('--tls-key-file', path.join(FIXTURES, 'server.key'), '--tls-ca-cert-file', path.join(FIXTURES, 'ca.crt'), '--tls-auth-clients', 'no');
    } else {
      args.push('--port', String(this.port));
    }
    if (this.password !== undefined) args.push('--requirepass', this.password);
    return args;
  }

  /** Starts the server (on a new free port the first time, the same port afterwards); resolves once it accepts. */
  async start() {
    if (this.child !== undefined) throw new Error('redis-server already running');
    for (let attempt = 0; ; attempt += 1) {
      const firstStart = this.port === undefined;
      if (firstStart) this.port = await freePort();
      try {
        await this.spawnOnce();
        return this;
      } catch (error) {
        // Another process took the free port between the check and the start: try another one.
        if (!firstStart || attempt >= 3 || !/Address already in use/i.test(this.output)) throw error;
        this.port = undefined;
      }
    }
  }

  spawnOnce() {
    this.output = '';
    const child = spawn(REDIS_SERVER, this.arguments(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not start in time\n${this.output}`)), START_TIMEOUT_MS);
      const fail = (error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.child = undefined;
        reject(error);
      };
      const keep = (chunk) => {
        this.output = (this.output + chunk.toString('utf8')).slice(-32_768);
        if (/Ready to accept connections/.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('error', (error) => fail(error));
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        fail(new Error(`redis-server exited (code ${code}, signal ${signal})\n${this.output}`));
      });
    });
  }

  /** Stops the server (SIGTERM: it flushes its data); resolves once the process is gone. Safe to call twice. */
  async stop() {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    child.removeAllListeners('exit');
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }

  /** Stops the server and removes its directory. */
  async remove() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a redis-server for a test; see RedisServer. */
async function startRedis(options = {}) {
  const server = new RedisServer(options);
  return server.start();
}

module.exports = { startRedis, RedisServer };
