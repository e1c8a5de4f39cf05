// The package's name, read from its package.json (one folder above dist/, where this file compiles to), so that a
// rename is one edit there. Node-RED namespaces a module's message catalogues and icons by this name.

/** The npm name of this package, as package.json gives it. */
export const PACKAGE_NAME: string = (require('../package.json') as { name: string }).name;
