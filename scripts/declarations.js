// The type declarations a package's `types` entry reaches through relative imports and re-exports: what a TypeScript
// user of the public API compiles against, and so all the build keeps (the rest describe internals).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The `.d.ts` files `entry` reaches, as paths relative to `dir` with forward slashes, sorted. */
function declarationsReachedFrom(dir, entry) {
  const reached = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift();
    if (reached.has(file)) continue;
    reached.add(file);
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const base = path.posix.join(path.posix.dirname(file), specifier.replace(/\.js$/, ''));
      queue.push(fs.existsSync(path.join(dir, `${base}.d.ts`)) ? `${base}.d.ts` : `${base}/index.d.ts`);
    }
  }
  return [...reached].sort();
}

module.exports = { declarationsReachedFrom };
