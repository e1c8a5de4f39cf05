'use strict';
// The package as npm ships it, installed into a fresh Node-RED user directory and loaded by a real Node-RED: the
// files it needs are in the tarball, and Node-RED finds its nodes, editor files, help, catalogues and icon.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed } = require('../support/node-red-runtime');

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const TYPES = Object.keys(pkg['node-red'].nodes);

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = `${prefix}${entry.name}`;
    return entry.isDirectory() ? filesUnder(path.join(dir, entry.name), `${relative}/`) : [relative];
  });
}

describe('the packed package in Node-RED', function () {
  this.timeout(90_000);
  let runtime;

  before(async () => {
    runtime = await startNodeRed();
  });
  after(() => runtime?.stop());

  it('installs from the tarball with what Node-RED needs and nothing from the source tree', () => {
    const files = filesUnder(runtime.packageDir);
    const required = ['package.json', 'README.md', 'LICENSE', 'dist/bitrix24/index.js', 'dist/emulator/cli.js', 'nodes/icons/bitrix24-bizproc-log.svg'];
    for (const [type, entry] of Object.entries(pkg['node-red'].nodes)) {
      required.push(entry, entry.replace(/\.js$/, '.html'), `dist/nodes/${type}.js`);
      for (const lang of ['en-US', 'ru']) required.push(`nodes/locales/${lang}/${type}.json`, `nodes/locales/${lang}/${type}.html`);
    }
    for (const file of required) assert.ok(files.includes(file), `the tarball lacks ${file}`);
    assert.ok(files.some((file) => file.startsWith('examples/') && file.endsWith('.json')), 'the tarball has no examples');
    const unwanted = files.filter((file) => /^(src|test|scripts|\.ci)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts')));
    assert.deepEqual(unwanted, []);
    assert.ok(fs.existsSync(path.join(runtime.userDir, 'node_modules', 'axios')), 'the declared dependency was installed');
  });

  it('runs on the Node-RED line and Node binary the block names', async () => {
    const settings = await runtime.request('GET', 'settings');
    // Node-RED appends -git to its version when a .git folder sits beside the node_modules it was loaded from: true
    // of this repo's own node-red, not of a user's install.
    assert.equal(settings.body.version.replace(/-git$/, ''), runtime.line.version);
    assert.match(runtime.output(), new RegExp(`Node\\.js\\s+version: v${runtime.line.nodeVersion().replace(/\./g, '\\.')}\\b`));
  });

  it('loads every node type from the user directory, without errors', async () => {
    const answer = await runtime.request('GET', `nodes/${pkg.name}`, { headers: { Accept: 'application/json' } });
    assert.equal(answer.status, 200, runtime.output());
    assert.equal(answer.body.version, pkg.version);
    assert.equal(fs.realpathSync(answer.body.path), fs.realpathSync(runtime.packageDir));
    assert.deepEqual(answer.body.nodes.flatMap((set) => set.types).sort(), [...TYPES].sort());
    for (const set of answer.body.nodes) {
      assert.equal(set.enabled, true);
      assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
    }
  });

  it('serves the editor definitions and help in English and Russian', async () => {
    const english = await runtime.request('GET', 'nodes', { headers: { Accept: 'text/html', 'Accept-Language': 'en-US' } });
    const russian = await runtime.request('GET', 'nodes', { headers: { Accept: 'text/html', 'Accept-Language': 'ru' } });
    for (const type of TYPES) {
      assert.ok(english.text.includes(`RED.nodes.registerType('${type}'`), `no editor definition for ${type}`);
      assert.ok(english.text.includes(`data-help-name="${type}"`), `no help for ${type}`);
    }
    assert.match(english.text, /Writes a line into the log of a running Bitrix24 business process/);
    assert.match(russian.text, /Записывает строку в журнал запущенного бизнес-процесса/);
  });

  it('serves the message catalogues in English and Russian', async () => {
    for (const type of TYPES) {
      const en = await runtime.request('GET', `nodes/${pkg.name}/${type}/messages?lng=en-US`);
      const ru = await runtime.request('GET', `nodes/${pkg.name}/${type}/messages?lng=ru`);
      assert.equal(typeof en.body[type].paletteLabel, 'string');
      assert.match(ru.body[type].paletteLabel, /[а-яА-Я]/, `${type}: no Russian palette label`);
    }
  });

  it('serves the node icon', async () => {
    const icon = await runtime.request('GET', `icons/${pkg.name}/bitrix24-bizproc-log.svg`);
    assert.equal(icon.status, 200);
    assert.match(icon.text, /<svg/);
  });
});
