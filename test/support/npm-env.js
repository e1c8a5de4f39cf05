'use strict';
// A nested npm started by a test (npm pack, npm install into a user directory, npm start): the command, and an
// environment without what the outer `npm test` exported about its own run.
/** The npm command. */
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * process.env without the repo's own run: under `npm test` npm exports its local prefix, package and lifecycle (a
 * nested npm would act on the repo) and the repo's .npmrc (bin-links=false, which a user's install does not have).
 * The user's npm settings (cache, registry, certificates) stay.
 */
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(config_local_prefix|config_bin_links|package_|lifecycle_|command$)/i.test(key)),
);

module.exports = { NPM, npmEnv };
