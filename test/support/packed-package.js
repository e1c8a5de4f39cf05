'use strict';
// This package as npm ships it: `npm pack` of the built work tree, then `npm install <tarball>` into a fresh
// Node-RED user directory, the way a user installs it. A file missing from `files`, an undeclared dependency or code
// that only works from the source tree fails here and nowhere else.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const { NPM, npmEnv } = require('./npm-env');

let packed;

/**
 * Packs the package once per process and resolves with the tarball's path. The work tree must be built (the test
 * runner builds first), so packing skips the `prepare` build.
 */
function packedTarball() {
  if (packed === undefined) {
    packed = (async () => {
      const destination = fs.mkdtempSync(path.join(os.tmpdir(), 'bitrix24-pack-'));
      process.once('exit', () => fs.rmSync(destination, { recursive: true, force: true }));
      const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: root, env: npmEnv });
      return path.join(destination, JSON.parse(stdout)[0].filename);
    })();
  }
  return packed;
}

/**
 * Installs the packed package into `userDir` as a user would (`npm install <tarball>`, saved in the user directory's
 * package.json as Node-RED's palette manager does). `--prefer-offline` takes axios from npm's cache, which the repo's
 * own install filled, and asks the registry only for what the cache lacks.
 */
async function installPackedPackage(userDir) {
  const tarball = await packedTarball();
  const manifest = path.join(userDir, 'package.json');
  if (!fs.existsSync(manifest)) {
    fs.writeFileSync(manifest, JSON.stringify({ name: 'node-red-project', description: 'e2e user directory', version: '0.0.1', private: true }, null, 2));
  }
  await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', tarball], { cwd: userDir, env: npmEnv });
  return path.join(userDir, 'node_modules', require(path.join(root, 'package.json')).name);
}

module.exports = { packedTarball, installPackedPackage };
