'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { EncryptedFileTokenStore } = require('../../dist/nodes/encrypted-token-store');
const { runtimeTokenStore, TOKEN_STORE_FILE_NAME } = require('../../dist/nodes/runtime-token-store');

const TOKEN = 'CanaryApplicationToken0123456789';

async function codeOf(promise) {
  try {
    await promise;
  } catch (error) {
    return error.code;
  }
  return 'resolved';
}

describe('EncryptedFileTokenStore', () => {
  let dir;
  let file;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-token-store-'));
    file = path.join(dir, 'tokens.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads nothing from a file that does not exist yet, and creates none', async () => {
    const store = new EncryptedFileTokenStore(file, 'secret');
    assert.equal(await store.read('a'), undefined);
    assert.equal(fs.existsSync(file), false);
  });

  it('keeps values across instances (a restart), encrypted, in a file only its owner can read', async () => {
    await new EncryptedFileTokenStore(file, 'secret').write('application-token/p1', TOKEN);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(TOKEN) && !text.includes('application-token'), 'neither values nor keys in clear');
    assert.equal(JSON.parse(text).format, 'node-red-contrib-bitrix24-bizproc/token-store');
    if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(await new EncryptedFileTokenStore(file, 'secret').read('application-token/p1'), TOKEN);
  });

  it('replaces, removes, and leaves no temporary files behind', async () => {
    const store = new EncryptedFileTokenStore(file, 'secret');
    await store.write('a', '1');
    await store.write('b', '2');
    await store.write('a', '3');
    await store.remove('b');
    await store.remove('missing');
    const reread = new EncryptedFileTokenStore(file, 'secret');
    assert.deepEqual([await reread.read('a'), await reread.read('b')], ['3', undefined]);
    assert.deepEqual(fs.readdirSync(dir), ['tokens.json']);
  });

  it('lets exactly one of two concurrent captures win', async () => {
    const store = new EncryptedFileTokenStore(file, 'secret');
    const [first, second] = await Promise.all([store.writeIfAbsent('k', 'first'), store.writeIfAbsent('k', 'second')]);
    assert.deepEqual(first, { stored: true, value: 'first' });
    assert.deepEqual(second, { stored: false, value: 'first' });
    assert.equal(await new EncryptedFileTokenStore(file, 'secret').read('k'), 'first');
  });

  it('refuses to read or overwrite a file encrypted with another secret', async () => {
    await new EncryptedFileTokenStore(file, 'old secret').write('k', TOKEN);
    const before = fs.readFileSync(file, 'utf8');
    const store = new EncryptedFileTokenStore(file, 'new secret');
    assert.equal(await codeOf(store.read('k')), 'TOKEN_STORE_UNREADABLE');
    assert.equal(await codeOf(store.writeIfAbsent('k', 'other')), 'TOKEN_STORE_UNREADABLE');
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('detects a file that was altered', async () => {
    await new EncryptedFileTokenStore(file, 'secret').write('k', TOKEN);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    const data = Buffer.from(stored.data, 'base64');
    data[0] ^= 1;
    fs.writeFileSync(file, JSON.stringify({ ...stored, data: data.toString('base64') }));
    assert.equal(await codeOf(new EncryptedFileTokenStore(file, 'secret').read('k')), 'TOKEN_STORE_UNREADABLE');
    fs.writeFileSync(file, JSON.stringify({ ...stored, tag: stored.tag.slice(0, 8) }));
    assert.equal(await codeOf(new EncryptedFileTokenStore(file, 'secret').read('k')), 'TOKEN_STORE_UNREADABLE');
    fs.writeFileSync(file, '{not json');
    assert.equal(await codeOf(new EncryptedFileTokenStore(file, 'secret').read('k')), 'TOKEN_STORE_UNREADABLE');
  });

  it('reports a failed write without changing what it holds', async () => {
    const store = new EncryptedFileTokenStore(path.join(dir, 'missing-dir', 'tokens.json'), 'secret');
    assert.equal(await codeOf(store.write('k', 'v')), 'TOKEN_STORE_WRITE_FAILED');
    assert.equal(await store.read('k'), undefined);
  });

  it('needs a secret', () => {
    assert.throws(() => new EncryptedFileTokenStore(file, ''), { code: 'TOKEN_STORE_UNAVAILABLE' });
  });
});

describe('runtimeTokenStore', () => {
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-runtime-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const runtime = (settings) => ({ settings });

  it('keeps the store in the user directory, encrypted with credentialSecret, one instance per runtime', async () => {
    const RED = runtime({ userDir: dir, credentialSecret: 'user secret' });
    const store = runtimeTokenStore(RED);
    assert.equal(runtimeTokenStore(RED), store);
    await store.write('k', TOKEN);
    assert.equal(await new EncryptedFileTokenStore(path.join(dir, TOKEN_STORE_FILE_NAME), 'user secret').read('k'), TOKEN);
  });

  it("falls back to the secret Node-RED generated (_credentialSecret)", async () => {
    const settings = { userDir: dir, get: (name) => (name === '_credentialSecret' ? 'generated' : undefined) };
    await runtimeTokenStore(runtime(settings)).write('k', TOKEN);
    assert.equal(await new EncryptedFileTokenStore(path.join(dir, TOKEN_STORE_FILE_NAME), 'generated').read('k'), TOKEN);
  });

  it('is unavailable without a user directory, without a secret, or with encryption turned off', () => {
    const reason = (settings) => {
      try {
        runtimeTokenStore(runtime(settings));
      } catch (error) {
        assert.equal(error.code, 'TOKEN_STORE_UNAVAILABLE');
        return error.reason;
      }
      return 'available';
    };
    assert.equal(reason({ credentialSecret: 'x' }), 'no-user-dir');
    assert.equal(reason({ userDir: dir }), 'no-secret');
    assert.equal(reason({ userDir: dir, get: () => { throw new Error('settings not loaded'); } }), 'no-secret');
    assert.equal(reason({ userDir: dir, credentialSecret: false }), 'encryption-disabled');
  });
});
