'use strict';
// What npm publishes, read from the packed tarball and from a user's `npm install <tarball>`: a manifest that runs
// nothing at install, the files a user of the public API needs and no others (no source maps; the type declarations
// that `types` reaches, which a TypeScript user's import compiles against), and a README whose pictures load on the
// npm page, where only the README travels (docs/ is not in the tarball).
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { packedTarball } = require('../support/packed-package');
const { NPM, npmEnv } = require('../support/npm-env');
const { declarationsReachedFrom } = require('../../scripts/declarations');

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const source = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** The lifecycle scripts npm runs when a user installs the package. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = `${prefix}${entry.name}`;
    return entry.isDirectory() ? filesUnder(path.join(dir, entry.name), `${relative}/`) : [relative];
  });
}

describe('the published package (npm pack, npm install <tarball>)', function () {
  this.timeout(120_000);
  let projectDir;
  let installOutput;
  let installed;

  before(async () => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitrix24-published-'));
    fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify({ name: 'a-user-project', version: '1.0.0', private: true }));
    const { stdout, stderr } = await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', await packedTarball()], { cwd: projectDir, env: npmEnv });
    installOutput = `${stdout}\n${stderr}`;
    installed = path.join(projectDir, 'node_modules', ...source.name.split('/'));
  });
  after(() => fs.rmSync(projectDir, { recursive: true, force: true }));

  it('runs nothing when a user installs it: no install scripts in the manifest, no warning about them', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    assert.deepEqual(INSTALL_SCRIPTS.filter((name) => manifest.scripts && name in manifest.scripts), []);
    assert.doesNotMatch(installOutput, /install-scripts|prepare|postinstall/i, installOutput);
    // npm builds on prepack (pack, publish), never on a user's install; here the test runner built before packing.
    assert.ok(fs.existsSync(path.join(installed, source.main)), `${source.main} is in the tarball`);
  });

  it('ships no source maps, and exactly the type declarations its `types` entry reaches', () => {
    const files = filesUnder(installed);
    assert.deepEqual(files.filter((file) => file.endsWith('.map')), []);
    assert.ok(source.types, 'package.json names its types');
    const reached = declarationsReachedFrom(installed, source.types);
    assert.deepEqual(files.filter((file) => file.endsWith('.d.ts')).sort(), reached);
  });

  it("compiles a TypeScript user's import of the package's main module against the shipped declarations", async () => {
    fs.writeFileSync(
      path.join(projectDir, 'use.ts'),
      `import * as bitrix24 from '${source.name}';\nexport const exported: string[] = Object.keys(bitrix24);\n`,
    );
    const tsconfig = {
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        // The declarations themselves are checked too: a missing file or type in them fails here.
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [path.join(root, 'node_modules', '@types')],
      },
      files: ['use.ts'],
    };
    fs.writeFileSync(path.join(projectDir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', projectDir], { cwd: projectDir }).catch((error) => {
      throw new Error(`tsc failed:\n${error.stdout}${error.stderr}`);
    });
  });

  it("points the README's pictures at the repository, where npm's page can load them", () => {
    const readme = fs.readFileSync(path.join(installed, 'README.md'), 'utf8');
    const repository = source.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    const { pathname } = new URL(repository);
    const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map(([, url]) => url);
    assert.ok(pictures.length >= 3, `${pictures.length} pictures`);
    for (const url of pictures) {
      const match = new RegExp(`^https://raw\\.githubusercontent\\.com${pathname}/main/(.+)$`).exec(url);
      assert.ok(match, `${url} is not an absolute URL into ${repository}`);
      assert.ok(fs.existsSync(path.join(root, match[1])), `${match[1]} is not in the repository`);
    }
  });
});
